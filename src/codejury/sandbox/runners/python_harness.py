# mypy: ignore-errors
# ruff: noqa: UP031, SIM105
"""The program the sandbox's Python runs: load the candidate, run the tests, report on a pipe.

It is passed to ``python3 -S -s -c`` as text and imports only builtin modules, so it starts fast.
``argv[1]`` is the report pipe's fd; stdin carries one header line ``cpu_s memory_bytes processes
open_files file_bytes seed len(code) len(tests) len(entry_point) len(path)`` (lengths in bytes)
followed by those four UTF-8 blobs. The report is
the ``repr`` of a dict of plain literals. Asserts in the tests arrive already rewritten (by
``python.rewrite_asserts``) into ``__codejury_assert__(index, lambda: test, lambda: message)`` calls,
which count each assertion and keep going after a failure.
"""

import os
import sys

_MESSAGE_CAP = 1000
_state = {"passed": 0, "total": 0, "failure": None}


def _cut(text):
    return text if len(text) <= _MESSAGE_CAP else text[:_MESSAGE_CAP] + "..."


def _describe(exc):
    text = str(exc)
    return _cut(type(exc).__name__ + (": " + text if text else ""))


def _fail(index, line, message):
    if _state["failure"] is None:
        _state["failure"] = (index, line, message)


def _assert(index, test, message=None):
    _state["total"] += 1
    try:
        ok = test()
    except (MemoryError, ModuleNotFoundError):
        raise
    except BaseException as exc:
        _fail(index, None, _describe(exc))
        return
    if ok:
        _state["passed"] += 1
        return
    text = "assertion failed"
    if message is not None:
        try:
            text = _cut("AssertionError: " + str(message()))
        except BaseException as exc:
            text = "assertion failed; its message raised " + _describe(exc)
    _fail(index, None, text)


def _line_in(exc, filename):
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _limit(cpu, memory, processes, open_files, file_size):
    import resource

    pairs = (
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_NPROC, (processes, processes)),
        (resource.RLIMIT_NOFILE, (open_files, open_files)),
        (resource.RLIMIT_FSIZE, (file_size, file_size)),
        (resource.RLIMIT_CORE, (0, 0)),
    )
    for which, value in pairs:
        resource.setrlimit(which, value)


def _usage():
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    return (cpu, max(own.ru_maxrss, kids.ru_maxrss) / 1024.0)


def _report(status, message="", line=None):
    failure = _state["failure"]
    if status == "failed" and failure is None:
        failure = (None, line, message)
    return {
        "status": status,
        "passed": _state["passed"],
        "total": _state["total"],
        "failure": failure,
        "message": message,
    }


def _classify(exc, phase):
    if isinstance(exc, MemoryError):
        return "out_of_memory", "MemoryError: the memory limit was reached"
    if isinstance(exc, ModuleNotFoundError):
        return "environment", "module %r is not available in the sandbox" % (exc.name,)
    return ("failed" if phase == "tests" else "error"), _describe(exc)


def _load(source, filename, namespace):
    """Compile and run one blob; None when it ran, else a report."""
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:
        where = "%s line %s" % (filename.strip("<>"), exc.lineno)
        return _report("error", _cut("SyntaxError: %s (%s)" % (exc.msg, where)))
    try:
        exec(code, namespace)
    except BaseException as exc:
        phase = "tests" if filename == "<tests>" else "load"
        status, message = _classify(exc, phase)
        line = _line_in(exc, filename)
        if phase == "load" and line is not None:
            message += " (solution line %d)" % line
        return _report(status, message, line if phase == "tests" else None)
    return None


def _run(code, tests, entry_point):
    module = type(sys)("solution")
    sys.modules["solution"] = module
    namespace = module.__dict__
    namespace["__codejury_assert__"] = _assert
    report = _load(code, "<solution>", namespace) or _load(tests, "<tests>", namespace)
    if report is not None:
        return report
    check = namespace.get("check")
    if not callable(check):
        return _report("failed" if _state["failure"] else "passed")
    if not entry_point:
        return _report("error", "the tests define check(candidate) but no entry point was given")
    if entry_point not in namespace:
        return _report("error", "entry point %r is not defined by the candidate" % entry_point)
    try:
        check(namespace[entry_point])
    except BaseException as exc:
        status, message = _classify(exc, "tests")
        if status == "failed":
            _state["total"] += 1
        return _report(status, message, _line_in(exc, "<tests>"))
    return _report("failed" if _state["failure"] else "passed")


def _main():
    data = sys.stdin.buffer.read()
    head, _, body = data.partition(b"\n")
    fields = [int(x) for x in head.split()]
    report_fd, seed, sizes = int(sys.argv[1]), fields[5], fields[6:10]
    blobs = []
    offset = 0
    for size in sizes:
        blobs.append(body[offset : offset + size].decode("utf-8", "replace"))
        offset += size
    code, tests, entry_point, path = blobs
    os.set_inheritable(report_fd, False)
    if path:
        sys.path.insert(0, path)
    _limit(*fields[0:5])
    if seed:
        import random

        random.seed(0)
    report = _run(code, tests, entry_point)
    report["usage"] = _usage()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os.write(report_fd, repr(report).encode("utf-8", "replace"))
    os._exit(0)


if __name__ == "__main__":
    _main()
