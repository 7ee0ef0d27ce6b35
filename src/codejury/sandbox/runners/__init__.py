"""Language runners. A module here that defines ``RUNNER`` adds a language; nothing else changes."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from codejury.errors import InvalidInput
from codejury.sandbox.runners.base import Invocation, Program, Runner

__all__ = ["Invocation", "Program", "Runner", "all_runners", "get_runner"]


@functools.cache
def all_runners() -> dict[str, Runner]:
    """Every runner by name and by alias."""
    found: dict[str, Runner] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "base" or info.name.endswith("_harness"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        runner = getattr(module, "RUNNER", None)
        if runner is None:
            continue
        for name in (runner.name, *runner.aliases):
            found[name.lower()] = runner
    return found


def get_runner(language: str) -> Runner:
    runners = all_runners()
    runner = runners.get(language.strip().lower())
    if runner is None:
        known = ", ".join(sorted({r.name for r in runners.values()}))
        raise InvalidInput(
            "unknown language", [f"language: {language!r} has no runner (known: {known})"]
        )
    return runner
