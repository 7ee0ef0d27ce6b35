"""Bubblewrap: the command line that isolates one run, and the check that it works here.

Each run gets fresh namespaces (``--unshare-all``: no network, own PIDs, IPC and hostname), a new
session, no inherited environment, read-only system folders and an empty tmpfs as its work folder.
Inside it is uid/gid 65534. When CodeJury runs as root the bwrap process itself first drops to an
unprivileged host uid taken from a pool (one per concurrent run), because the kernel never applies
``RLIMIT_NPROC`` to root.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from codejury.errors import SandboxUnavailable

if TYPE_CHECKING:
    from codejury.config import Settings

logger = logging.getLogger(__name__)

WORK_DIR = "/tmp"
SANDBOX_UID = 65534
HOST_UID_BASE = 61000
HOST_UID_POOL = 256
SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/libx32", "/sbin")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/alternatives")


@dataclass(frozen=True)
class SandboxConfig:
    """How runs are isolated: from ``Settings`` or given directly when used as a library."""

    mode: Literal["bwrap", "unsafe-no-isolation"] = "bwrap"
    python_env: Path | None = None
    workers: int = 0
    bwrap: str = "/usr/bin/bwrap"

    @classmethod
    def from_settings(cls, settings: Settings) -> SandboxConfig:
        return cls(
            mode=settings.sandbox_mode,
            python_env=settings.sandbox_python_env,
            workers=settings.sandbox_workers,
        )

    @property
    def isolated(self) -> bool:
        return self.mode == "bwrap"


@dataclass(frozen=True)
class Launch:
    """A ready command: ``argv`` to spawn, as ``host_uid`` (None: the current user)."""

    argv: list[str]
    env: dict[str, str]
    host_uid: int | None
    cwd: str | None = None


def _system_mounts() -> list[str]:
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


def bwrap_argv(
    config: SandboxConfig,
    command: Sequence[str],
    env: Mapping[str, str],
    *,
    mounts: Sequence[tuple[str, str]] = (),
    tmpfs_mb: int = 64,
) -> list[str]:
    """The full bwrap command line around ``command``; ``mounts`` are extra read-only binds."""
    args = [
        config.bwrap,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--uid", str(SANDBOX_UID),
        "--gid", str(SANDBOX_UID),
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--hostname", "sandbox",
        *_system_mounts(),
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(tmpfs_mb * 1024 * 1024),
        "--tmpfs", WORK_DIR,
    ]  # fmt: skip
    for source, target in mounts:
        args += ["--ro-bind", source, target]
    args += ["--remount-ro", "/"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    args += ["--chdir", WORK_DIR, "--", *command]
    return args


class _UidPool:
    """Host uids handed to concurrent runs, so each has its own process count."""

    def __init__(self) -> None:
        self._free: queue.SimpleQueue[int] = queue.SimpleQueue()
        for i in range(HOST_UID_POOL):
            self._free.put(HOST_UID_BASE + i)

    @contextmanager
    def uid(self) -> Iterator[int]:
        uid = self._free.get()
        try:
            yield uid
        finally:
            self._free.put(uid)


_pool = _UidPool()
_probe_lock = threading.Lock()
_probed: dict[str, bool] = {}


@contextmanager
def host_uid(config: SandboxConfig) -> Iterator[int | None]:
    """The host uid a run should spawn as: a pooled unprivileged uid under root, else None."""
    if config.isolated and os.geteuid() == 0 and _drop_works(config):
        with _pool.uid() as uid:
            yield uid
    else:
        yield None


def _try_bwrap(config: SandboxConfig, uid: int | None) -> subprocess.CompletedProcess[bytes]:
    argv = bwrap_argv(config, ["/bin/sh", "-c", "exit 0"], {})
    extra = {"user": uid, "group": uid, "extra_groups": []} if uid is not None else {}
    return subprocess.run(argv, capture_output=True, timeout=20, env={}, **extra)  # type: ignore[call-overload]


def _drop_works(config: SandboxConfig) -> bool:
    """Whether bwrap runs when started as an unprivileged uid (needs unprivileged user namespaces)."""
    key = f"drop:{config.bwrap}"
    with _probe_lock:
        if key not in _probed:
            result = _try_bwrap(config, HOST_UID_BASE + HOST_UID_POOL)
            _probed[key] = result.returncode == 0
            if result.returncode != 0:
                logger.warning(
                    "bwrap cannot start as an unprivileged uid (%s); running it as root, where "
                    "the process-count limit does not hold",
                    result.stderr.decode(errors="replace").strip(),
                )
        return _probed[key]


def ensure_available(config: SandboxConfig) -> None:
    """Raise ``SandboxUnavailable`` unless isolation works here (or the weaker mode is chosen)."""
    if not config.isolated:
        return
    key = f"bwrap:{config.bwrap}"
    with _probe_lock:
        ok = _probed.get(key)
    if ok:
        return
    if not os.path.exists(config.bwrap):
        raise SandboxUnavailable(
            f"bubblewrap not found at {config.bwrap}; install the 'bubblewrap' package "
            "(or set CODEJURY_SANDBOX_MODE=unsafe-no-isolation, which runs code unisolated)"
        )
    try:
        result = _try_bwrap(config, None)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxUnavailable(f"bubblewrap cannot start: {exc}") from exc
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip()
        raise SandboxUnavailable(f"bubblewrap cannot create a sandbox here: {reason}")
    with _probe_lock:
        _probed[key] = True


def warn_unsafe_once(config: SandboxConfig) -> None:
    if config.isolated:
        return
    logger.warning(
        "SANDBOX DISABLED: CODEJURY_SANDBOX_MODE=unsafe-no-isolation runs untrusted candidate code "
        "with only resource limits: it can read your files, use the network and outlive the run"
    )
