"""Resource limits of one sandboxed run."""

from __future__ import annotations

from dataclasses import dataclass, replace

from codejury.errors import InvalidInput


@dataclass(frozen=True)
class Limits:
    """Bounds on one execution. Each runner applies them in the way its runtime tolerates.

    ``timeout_s`` is wall-clock time for the run (a compile step gets ``compile_timeout_s`` on top);
    ``cpu_s`` defaults to the wall timeout rounded up plus one second.
    """

    timeout_s: float = 3.0
    cpu_s: int | None = None
    memory_mb: int = 512
    processes: int = 32
    open_files: int = 64
    file_size_mb: int = 16
    tmpfs_mb: int = 64
    output_bytes: int = 8192
    output_hard_bytes: int = 4 * 1024 * 1024
    compile_timeout_s: float = 20.0

    def __post_init__(self) -> None:
        problems = []
        for name in ("timeout_s", "memory_mb", "processes", "open_files", "file_size_mb"):
            if getattr(self, name) <= 0:
                problems.append(f"limits.{name}: must be positive, got {getattr(self, name)}")
        for name in ("tmpfs_mb", "output_bytes", "output_hard_bytes", "compile_timeout_s"):
            if getattr(self, name) <= 0:
                problems.append(f"limits.{name}: must be positive, got {getattr(self, name)}")
        if self.cpu_s is not None and self.cpu_s <= 0:
            problems.append(f"limits.cpu_s: must be positive, got {self.cpu_s}")
        if problems:
            raise InvalidInput("invalid sandbox limits", problems)

    @property
    def cpu_seconds(self) -> int:
        if self.cpu_s is not None:
            return self.cpu_s
        return int(self.timeout_s + 0.999) + 1

    def but(self, **changes: object) -> Limits:
        """A copy with some limits changed: ``Limits().but(timeout_s=1)``."""
        return replace(self, **changes)  # type: ignore[arg-type]
