"""Adversarial candidates: each case asserts that the sandbox contained it.

These hold when the test process is root (as in CI): runs then drop to an unprivileged host uid.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codejury.sandbox import Limits, SandboxConfig, run
from codejury.sandbox.isolation import HOST_UID_BASE, HOST_UID_POOL

pytestmark = pytest.mark.sandbox

CONFIG = SandboxConfig()
FAST = Limits(timeout_s=1.5, cpu_s=2)
SECRET = "codejury-secret-7f3a9c"


# Processes below this test process that other tests started and still own (a browser, a server of a
# session-scoped fixture); recorded before each test so only what a sandbox run left behind counts.
_BASELINE: set[int] = set()


@pytest.fixture(autouse=True)
def _baseline() -> None:
    _BASELINE.clear()
    _BASELINE.update(_all_descendants())


def _descendants() -> list[int]:
    """Host PIDs below this test process that this test's runs started (bwrap and everything below).

    As root, runs use host uids from the sandbox pool; other descendants (a browser that a
    session-scoped fixture keeps, spawning helpers at will) are not the sandbox's."""
    pids = [pid for pid in _all_descendants() if pid not in _BASELINE]
    if os.geteuid() == 0:
        pids = [pid for pid in pids if _uid(pid) in SANDBOX_UIDS]
    return pids


SANDBOX_UIDS = range(HOST_UID_BASE, HOST_UID_BASE + HOST_UID_POOL + 1)


def _uid(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _all_descendants() -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [os.getpid()]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _with_argument(argument: str) -> list[int]:
    """Host PIDs whose command line contains ``argument``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and argument.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _assert_nothing_left(argument: str | None = None) -> None:
    def left() -> list[int]:
        return _descendants() + (_with_argument(argument) if argument else [])

    deadline = time.monotonic() + 2
    while left() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left() == []


def _py(code: str, limits: Limits = FAST) -> tuple[str, str, str]:
    result = run(code, "assert True\n", "python", limits=limits, config=CONFIG)
    _assert_nothing_left()
    return result.status, result.stdout, result.stderr


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on the host's loopback that counts connections."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()
    accepted: list[int] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()
    assert accepted == []


def test_python_fork_bomb_is_contained() -> None:
    status, _, _ = _py(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    assert status == "timeout"


def test_python_memory_bomb_is_out_of_memory() -> None:
    status, _, _ = _py("chunks = []\nwhile True:\n    chunks.append(bytearray(64 << 20))\n")
    assert status == "out_of_memory"


def test_python_infinite_loop_times_out_quickly() -> None:
    start = time.monotonic()
    status, _, _ = _py("while True:\n    pass\n")
    assert status == "timeout"
    assert time.monotonic() - start < 4


def test_python_busy_threads_are_stopped() -> None:
    code = (
        "import threading\n"
        "threads = [threading.Thread(target=lambda: [0 for _ in iter(int, 1)]) for _ in range(8)]\n"
        "for t in threads:\n    t.start()\nfor t in threads:\n    t.join()\n"
    )
    status, _, _ = _py(code)
    assert status == "timeout"


def test_python_stdout_flood_is_cut() -> None:
    result = run(
        "while True:\n    print('x' * 10000)\n",
        "assert True\n",
        "python",
        limits=FAST,
        config=CONFIG,
    )
    _assert_nothing_left()
    assert result.status in {"error", "timeout"}
    assert len(result.stdout) <= FAST.output_bytes and result.stdout_truncated


def test_python_writes_stay_inside_the_sandbox(tmp_path: Path) -> None:
    target = tmp_path / "escaped.txt"
    code = f"""
results = []
for path in ["/escaped.txt", "/usr/escaped.txt", {str(target)!r}, "work.txt"]:
    try:
        with open(path, "w") as f:
            f.write("x")
        results.append("wrote " + path)
    except OSError:
        results.append("blocked " + path)
print(results)
"""
    status, stdout, _ = _py(code)
    assert status == "passed"
    assert "blocked /escaped.txt" in stdout and "blocked /usr/escaped.txt" in stdout
    assert "wrote work.txt" in stdout  # the work folder is writable
    assert not target.exists() and not Path("/escaped.txt").exists()


def test_python_cannot_read_shadow_or_host_data(tmp_path: Path) -> None:
    secret = tmp_path / "data" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET)
    secret.parent.chmod(0o755)
    secret.chmod(0o644)
    code = f"""
for path in ["/etc/shadow", "/etc/passwd", {str(secret)!r}, "/work/main/pyproject.toml", "/root"]:
    try:
        print(open(path).read())
    except OSError as exc:
        print("blocked", path, type(exc).__name__)
"""
    status, stdout, _ = _py(code)
    assert status == "passed"
    assert SECRET not in stdout and "root:" not in stdout and "[project]" not in stdout
    assert stdout.count("blocked") == 5


def test_python_sees_none_of_the_servers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEJURY_SECRET_TOKEN", SECRET)
    status, stdout, _ = _py(
        "import os\nprint(dict(os.environ))\nprint(open('/proc/self/environ').read())\n"
    )
    assert status == "passed"
    assert SECRET not in stdout and "CODEJURY_SECRET_TOKEN" not in stdout


def test_python_has_no_network(listener: int) -> None:
    code = f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {listener}), timeout=0.5)
    print("connected")
except OSError:
    print("no loopback")
try:
    socket.getaddrinfo("example.com", 80)
    print("resolved")
except OSError:
    print("no dns")
"""
    status, stdout, _ = _py(code)
    assert status == "passed"
    assert stdout.split() == ["no", "loopback", "no", "dns"]


def test_python_signalling_the_parent_or_everyone_hurts_no_host_process() -> None:
    sentinel = subprocess.Popen(["sleep", "30"])
    code = "import os, signal\nfor pid in (os.getppid(), 1, -1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass\n"
    try:
        result = run(code, "assert True\n", "python", limits=FAST, config=CONFIG)
        assert result.status in {"passed", "error"}
        assert sentinel.poll() is None
    finally:
        sentinel.kill()
        sentinel.wait()
    _assert_nothing_left()


def test_python_sleep_past_the_timeout() -> None:
    start = time.monotonic()
    status, _, _ = _py("import time\ntime.sleep(30)\n")
    assert status == "timeout"
    assert time.monotonic() - start < 4


def test_python_detached_process_dies_with_the_run() -> None:
    marker = f"3{time.time_ns() % 10**6}.5"
    code = f"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/usr/bin/nohup", ["nohup", "/bin/sleep", "{marker}"])
    os._exit(0)
time.sleep(0.3)
"""
    result = run(code, "assert True\n", "python", limits=FAST, config=CONFIG)
    assert result.status == "passed"
    _assert_nothing_left(marker)


def test_python_symlinks_lead_nowhere(tmp_path: Path) -> None:
    code = """
import os
os.symlink("/etc/shadow", "shadow")
os.symlink("/work/main", "project")
for path in ("shadow", "project"):
    try:
        print(os.listdir(path) if path == "project" else open(path).read())
    except OSError as exc:
        print("blocked", type(exc).__name__)
"""
    status, stdout, _ = _py(code)
    assert status == "passed"
    assert stdout.count("blocked") == 2


def test_python_sees_only_its_own_processes() -> None:
    status, stdout, _ = _py(
        "import os\nprint(len([p for p in os.listdir('/proc') if p.isdigit()]))\n"
    )
    assert status == "passed"
    assert int(stdout) <= 3


def test_javascript_infinite_loop_times_out() -> None:
    result = run("while (true) {}", "add(1)", "javascript", limits=FAST, config=CONFIG)
    _assert_nothing_left()
    assert result.status == "timeout"


def test_javascript_cannot_reach_files_env_or_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listener: int
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    secret.chmod(0o644)
    monkeypatch.setenv("CODEJURY_SECRET_TOKEN", SECRET)
    code = f"""
const fs = require('fs');
for (const p of [{str(secret)!r}, '/etc/shadow']) {{
  try {{ console.log(fs.readFileSync(p, 'utf8')); }} catch (e) {{ console.log('blocked ' + e.code); }}
}}
console.log(JSON.stringify(process.env));
const net = require('net');
const s = net.connect({listener}, '127.0.0.1');
s.on('connect', () => {{ console.log('connected'); s.destroy(); }});
s.on('error', (e) => console.log('no network ' + e.code));
"""
    result = run(code, "1;", "javascript", limits=FAST, config=CONFIG)
    _assert_nothing_left()
    assert result.status == "passed", result
    assert SECRET not in result.stdout and "root:" not in result.stdout
    assert result.stdout.count("blocked") == 2 and "no network" in result.stdout


def test_javascript_memory_bomb_is_out_of_memory() -> None:
    code = "const a = []; for (;;) a.push(Buffer.alloc(64 * 1024 * 1024, 1));"
    # Filling ~640 MB (V8 heap + native headroom) takes a while on a loaded machine: give the memory
    # limit, the one under test, time to be reached before the wall clock.
    limits = FAST.but(memory_mb=128, timeout_s=6, cpu_s=6)
    result = run(code, "1;", "javascript", limits=limits, config=CONFIG)
    _assert_nothing_left()
    assert result.status == "out_of_memory", result


def test_javascript_child_process_bomb_is_contained() -> None:
    code = "const cp = require('child_process'); for (;;) { try { cp.spawn('/bin/sleep', ['30']); } catch (e) {} }"
    result = run(code, "1;", "javascript", limits=FAST, config=CONFIG)
    _assert_nothing_left()
    assert result.status in {"timeout", "error", "failed"}


CPP_MAIN = "int main() { return run(); }\n"


def test_cpp_fork_bomb_is_contained() -> None:
    code = "#include <unistd.h>\nint run() { for (;;) fork(); }\n"
    result = run(code, CPP_MAIN, "cpp", limits=FAST, config=CONFIG)
    _assert_nothing_left()
    assert result.status == "timeout"


def test_cpp_cannot_read_host_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    secret.chmod(0o644)
    code = f"""#include <fstream>
#include <iostream>
#include <string>
int run() {{
    for (const char* p : {{"{secret}", "/etc/shadow"}}) {{
        std::ifstream in(p);
        std::string s;
        if (in && std::getline(in, s)) std::cout << s << "\\n"; else std::cout << "blocked\\n";
    }}
    return 0;
}}
"""
    result = run(code, CPP_MAIN, "cpp", limits=FAST, config=CONFIG)
    _assert_nothing_left()
    assert result.status == "passed", result
    assert result.stdout == "blocked\nblocked\n"


def test_cpp_memory_bomb_is_out_of_memory() -> None:
    code = "#include <vector>\nint run() { std::vector<char*> v; for (;;) v.push_back(new char[64 << 20]()); }\n"
    result = run(code, CPP_MAIN, "cpp", limits=FAST, config=CONFIG)
    _assert_nothing_left()
    assert result.status == "out_of_memory", result
