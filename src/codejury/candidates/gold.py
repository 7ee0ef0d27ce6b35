"""Gold items: pairs whose right answer is known, used to measure annotators.

The usual source is a verified-correct candidate (its tests pass) against a verified-failing
mutant of it: the correct one wins, clearly (strength 2), and the reason names the test the mutant
fails and what was changed. Managers can mark any item gold with
``codejury.candidates.store.mark_gold`` (for example two passing candidates where one is clearly
worse); ``validate_answer`` checks such an answer.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codejury.errors import InvalidInput

MAX_STRENGTH = 2


@dataclass(frozen=True)
class Verified:
    """A candidate with a known outcome: a passing one, or a failing one with its evidence."""

    id: int
    exec_status: str
    exec_result: dict[str, Any] | None = None
    source_meta: dict[str, Any] | None = None


def failure_reason(candidate: Verified) -> str:
    """Why the losing candidate is wrong, from its execution result (and its mutation, if any)."""
    result = candidate.exec_result or {}
    failure = result.get("first_failure") or {}
    status = candidate.exec_status
    if status == "failed" and failure.get("test"):
        text = f"The losing response fails test `{_one_line(failure['test'])}`"
        message = _one_line(failure.get("message") or "")
        text += f": {message}" if message else ""
    elif status == "timeout":
        text = "The losing response does not finish within the time limit"
    elif status == "out_of_memory":
        text = "The losing response runs out of memory"
    elif status == "error":
        text = f"The losing response crashes: {_one_line(result.get('message') or 'error')}"
    else:
        text = f"The losing response fails its tests ({status})"
    meta = candidate.source_meta or {}
    if meta.get("description"):
        text += f". What is wrong: {meta['description']}"
        text += f" (line {meta['line']})" if meta.get("line") else ""
    return text + "."


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def gold_answer(correct_id: int, wrong: Verified, strength: int = MAX_STRENGTH) -> dict[str, Any]:
    return {
        "ranking": [correct_id, wrong.id],
        "strength": strength,
        "reason": failure_reason(wrong),
    }


def gold_pairs(
    correct: Sequence[Verified], wrong: Sequence[Verified], count: int, seed: int | str = 0
) -> list[tuple[int, Verified]]:
    """Up to ``count`` (correct id, wrong candidate) pairs, each wrong candidate used once,
    mutants of different kinds first; correct candidates are taken in turn."""
    if not correct or not wrong or count < 1:
        return []
    rng = random.Random(f"gold:{seed}")
    shuffled = list(wrong)
    rng.shuffle(shuffled)
    seen: set[str] = set()
    first: list[Verified] = []
    rest: list[Verified] = []
    for w in shuffled:
        kind = str((w.source_meta or {}).get("mutation", w.exec_status))
        (rest if kind in seen else first).append(w)
        seen.add(kind)
    ordered_correct = sorted(c.id for c in correct)
    chosen = (first + rest)[:count]
    return [(ordered_correct[i % len(ordered_correct)], w) for i, w in enumerate(chosen)]


def validate_answer(
    candidate_ids: Sequence[int], ranking: Sequence[int] | None, strength: int, reason: str
) -> dict[str, Any]:
    """A gold answer for an item of ``candidate_ids``, or ``InvalidInput`` naming each problem."""
    problems = []
    if ranking is not None and sorted(ranking) != sorted(candidate_ids):
        problems.append(
            f"ranking: must order exactly the item's candidates {sorted(candidate_ids)}, "
            f"got {list(ranking)}"
        )
    if not 0 <= strength <= MAX_STRENGTH:
        problems.append(f"strength: must be between 0 and {MAX_STRENGTH}, got {strength}")
    if ranking is None and strength != 0:
        problems.append("strength: a tie (no ranking) has strength 0")
    if ranking is not None and strength == 0:
        problems.append("strength: 0 means a tie; give no ranking for a tie")
    if not reason.strip():
        problems.append("reason: say why this is the right answer; annotators see it as feedback")
    if problems:
        raise InvalidInput("invalid gold answer", problems)
    return {
        "ranking": list(ranking) if ranking is not None else None,
        "strength": strength,
        "reason": reason.strip(),
    }
