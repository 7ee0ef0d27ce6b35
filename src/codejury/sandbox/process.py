"""Spawn one sandboxed process tree, feed it, read its output with a cap, and stop it on time.

Everything happens on one thread with a selector over stdin, stdout, stderr, a report pipe and a
pidfd, so a run costs no helper threads. The process is a session leader; on a timeout its whole
group gets SIGKILL (under bwrap that kills the PID namespace's init and with it every process inside).
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass

from codejury.sandbox.isolation import Launch

logger = logging.getLogger(__name__)

REPORT_CAP = 1024 * 1024
_CHUNK = 65536


@dataclass
class RawRun:
    """What came out of a process: exit status, capped output and the report pipe's content."""

    returncode: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    stdout_total: int = 0
    stderr_total: int = 0
    report: bytes = b""
    timed_out: bool = False
    output_exceeded: bool = False
    duration_s: float = 0.0
    cpu_s: float = 0.0
    max_rss_mb: float = 0.0

    @property
    def signal(self) -> int | None:
        """The signal that ended the process, also when a wrapper re-raised it as 128+N."""
        code = self.returncode
        if code is None:
            return None
        if code < 0:
            return -code
        if code > 128 and code - 128 < 65:
            return code - 128
        return None


class _Reader:
    def __init__(self, run: RawRun, keep: int, hard: int) -> None:
        self.run, self.keep, self.hard = run, keep, hard
        self.buffers: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}
        self.report = bytearray()

    def take(self, name: str, data: bytes) -> bool:
        """Store a chunk; False once the output passed the hard cap."""
        if name == "report":
            room = REPORT_CAP - len(self.report)
            self.report += data[: max(room, 0)]
            return True
        buf = self.buffers[name]
        if len(buf) < self.keep:
            buf += data[: self.keep - len(buf)]
        total = getattr(self.run, f"{name}_total") + len(data)
        setattr(self.run, f"{name}_total", total)
        return self.run.stdout_total + self.run.stderr_total <= self.hard


@dataclass(frozen=True)
class Budget:
    """Wall time and output bounds. With ``setup_s`` and ``marker``, the program first gets
    ``setup_s`` (e.g. to compile); once ``marker`` appears on the report pipe, ``timeout_s`` more."""

    timeout_s: float
    keep: int
    hard: int
    setup_s: float | None = None
    marker: bytes | None = None


def execute(launch: Launch, stdin: bytes, budget: Budget) -> RawRun:
    """Run ``launch`` to completion or until its wall time is spent, whichever comes first."""
    run = RawRun()
    report_r, report_w = os.pipe()
    extra: dict[str, object] = {}
    if launch.host_uid is not None:
        extra = {"user": launch.host_uid, "group": launch.host_uid, "extra_groups": []}
    start = time.monotonic()
    try:
        proc = subprocess.Popen(  # type: ignore[call-overload]
            [arg.replace("{report_fd}", str(report_w)) for arg in launch.argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(report_w,),
            start_new_session=True,
            env=launch.env,
            cwd=launch.cwd,
            **extra,
        )
    finally:
        os.close(report_w)
    reader = _Reader(run, budget.keep, budget.hard)
    try:
        _pump(proc, report_r, stdin, start, budget, reader, run)
    finally:
        os.close(report_r)
    run.duration_s = time.monotonic() - start
    run.stdout = bytes(reader.buffers["stdout"])
    run.stderr = bytes(reader.buffers["stderr"])
    run.report = bytes(reader.report)
    return run


def _pump(
    proc: subprocess.Popen[bytes], report_r: int, stdin: bytes, start: float, budget: Budget,
    reader: _Reader, run: RawRun,
) -> None:  # fmt: skip
    assert proc.stdin and proc.stdout and proc.stderr
    pidfd = os.pidfd_open(proc.pid)
    sel = selectors.DefaultSelector()
    names = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr", report_r: "report"}
    for fd, name in names.items():
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ, name)
    sel.register(pidfd, selectors.EVENT_READ, "exit")
    stdin_fd = proc.stdin.fileno()
    os.set_blocking(stdin_fd, False)
    sel.register(stdin_fd, selectors.EVENT_WRITE, "stdin")
    pending = memoryview(stdin)
    waiting_marker = budget.marker is not None and budget.setup_s is not None
    deadline = start + (budget.setup_s if waiting_marker and budget.setup_s else budget.timeout_s)
    exited = False
    try:
        while not exited or sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                run.timed_out = True
                break
            for key, _ in sel.select(remaining):
                fd = int(key.fd)
                if key.data == "exit":
                    exited = True
                    sel.unregister(fd)
                    if stdin_fd in sel.get_map():
                        sel.unregister(stdin_fd)
                elif key.data == "stdin":
                    pending = _feed(sel, proc, pending)
                else:
                    _drain(sel, fd, key.data, reader, run)
                    if waiting_marker and budget.marker and budget.marker in reader.report:
                        waiting_marker = False
                        deadline = time.monotonic() + budget.timeout_s
            if run.output_exceeded:
                break
    finally:
        sel.close()
        if run.timed_out or run.output_exceeded or not exited:
            _kill(proc)
        _close_quietly(proc.stdin)
        proc.stdout.close()
        proc.stderr.close()
        _reap(proc, run)
        os.close(pidfd)


def _feed(
    sel: selectors.BaseSelector, proc: subprocess.Popen[bytes], pending: memoryview
) -> memoryview:
    assert proc.stdin
    try:
        written = os.write(proc.stdin.fileno(), pending[:_CHUNK])
    except (BrokenPipeError, OSError):
        written = len(pending)
    pending = pending[written:]
    if not pending:
        sel.unregister(proc.stdin.fileno())
        _close_quietly(proc.stdin)
    return pending


def _drain(sel: selectors.BaseSelector, fd: int, name: str, reader: _Reader, run: RawRun) -> None:
    try:
        data = os.read(fd, _CHUNK)
    except BlockingIOError:
        return
    if not data:
        sel.unregister(fd)
        return
    if not reader.take(name, data):
        run.output_exceeded = True


def _close_quietly(stream: object) -> None:
    with contextlib.suppress(OSError):
        stream.close()  # type: ignore[attr-defined]


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _reap(proc: subprocess.Popen[bytes], run: RawRun) -> None:
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    run.returncode = proc.returncode
    run.cpu_s = usage.ru_utime + usage.ru_stime
    run.max_rss_mb = usage.ru_maxrss / 1024
