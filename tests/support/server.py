"""A real ``codejury serve`` on a free port, for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"codejury serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("codejury serve did not answer /healthz in time")


@contextmanager
def serving(data: Path, database_url: str, secret_key: str) -> Iterator[str]:
    """The studio over ``database_url`` (no background worker), logging to ``data/server.log``;
    yields its base URL and stops it afterwards."""
    env = {
        **os.environ,
        "CODEJURY_DATA_DIR": str(data),
        "CODEJURY_DATABASE_URL": database_url,
        "CODEJURY_SECRET_KEY": secret_key,
    }
    port = free_port()
    cmd = [sys.executable, "-m", "codejury", "serve", "--port", str(port), "--no-worker"]
    with (data / "server.log").open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
