"""Checking a submitted judgment against its item, the project's mode and the rubric version.

Pure functions on plain data: every problem is reported at once, each naming its field
(``ranking``, ``ratings.12.correctness``, ``error_spans[0].line_end``...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from codejury.assign.schemas import ErrorSpanIn, JudgmentIn
from codejury.assign.taxonomy import (
    ERROR_CATEGORIES,
    SEVERITIES,
    SKIP_REASONS,
    STRENGTH_MAX,
    STRENGTH_MIN,
)
from codejury.errors import InvalidInput


@dataclass(frozen=True)
class ItemView:
    """What validation needs to know about an item."""

    candidate_ids: Sequence[int]
    mode: str  # pairwise | ranking
    contents: Mapping[int, str]  # candidate id -> content, for line counts
    criteria: Sequence[Mapping[str, Any]] = ()  # the rubric version's criteria


def line_count(content: str) -> int:
    return len(content.splitlines())


def check_judgment(payload: JudgmentIn, view: ItemView) -> list[str]:
    """Every problem with ``payload`` for this item, one line each; empty when it is valid."""
    if payload.skip_reason is not None:
        return _check_skip(payload)
    problems = _check_ranking(payload, view)
    problems += _check_ratings(payload.ratings, view)
    for index, span in enumerate(payload.error_spans):
        problems += _check_span(span, f"error_spans[{index}]", view)
    return problems


def validate_judgment(payload: JudgmentIn, view: ItemView) -> None:
    problems = check_judgment(payload, view)
    if problems:
        raise InvalidInput("The judgment is not valid.", problems)


def _check_skip(payload: JudgmentIn) -> list[str]:
    problems = []
    if payload.skip_reason not in SKIP_REASONS:
        problems.append(f"skip_reason: must be one of {', '.join(SKIP_REASONS)}")
    for name in ("ranking", "strength"):
        if getattr(payload, name) is not None:
            problems.append(f"{name}: must be empty when skipping")
    if payload.ratings:
        problems.append("ratings: must be empty when skipping")
    if payload.error_spans:
        problems.append("error_spans: must be empty when skipping")
    return problems


def _check_ranking(payload: JudgmentIn, view: ItemView) -> list[str]:
    problems = []
    expected = sorted(view.candidate_ids)
    if payload.ranking is None:
        problems.append("ranking: required (candidate ids, best first) unless skipping")
    elif sorted(payload.ranking) != expected:
        ids = ", ".join(str(c) for c in expected)
        problems.append(f"ranking: must list each of the item's candidates ({ids}) exactly once")
    if view.mode == "pairwise":
        if payload.strength is None:
            problems.append(
                "strength: required for a pairwise item (0 tie, 1 better, 2 much better)"
            )
        elif not STRENGTH_MIN <= payload.strength <= STRENGTH_MAX:
            problems.append(
                f"strength: must be {STRENGTH_MIN}..{STRENGTH_MAX}, got {payload.strength}"
            )
    elif payload.strength is not None:
        problems.append("strength: only pairwise items take a strength")
    return problems


def _check_ratings(ratings: Mapping[str, Mapping[str, int]], view: ItemView) -> list[str]:
    problems = []
    known = {str(c) for c in view.candidate_ids}
    scales = {str(c.get("name")): c for c in view.criteria}
    for cand, values in ratings.items():
        if cand not in known:
            problems.append(f"ratings.{cand}: not a candidate of this item")
            continue
        for name, value in values.items():
            where = f"ratings.{cand}.{name}"
            criterion = scales.get(name)
            if criterion is None:
                problems.append(f"{where}: not a criterion of this rubric version")
                continue
            low, high = int(criterion.get("min", 1)), int(criterion.get("max", 5))
            if isinstance(value, bool) or not low <= value <= high:
                problems.append(f"{where}: {value} is outside the scale {low}..{high}")
    return problems


def _check_span(span: ErrorSpanIn, where: str, view: ItemView) -> list[str]:
    problems = []
    if span.category not in ERROR_CATEGORIES:
        problems.append(f"{where}.category: must be one of {', '.join(ERROR_CATEGORIES)}")
    if span.severity not in SEVERITIES:
        problems.append(f"{where}.severity: must be one of {', '.join(SEVERITIES)}")
    if span.step is not None and span.step < 0:
        problems.append(f"{where}.step: must be 0 or more")
    if span.candidate_id not in view.candidate_ids:
        problems.append(
            f"{where}.candidate_id: {span.candidate_id} is not a candidate of this item"
        )
        return problems
    lines = line_count(view.contents.get(span.candidate_id, ""))
    if span.line_start < 1:
        problems.append(f"{where}.line_start: lines start at 1, got {span.line_start}")
    if span.line_end < span.line_start:
        problems.append(f"{where}.line_end: {span.line_end} is before line_start {span.line_start}")
    if span.line_end > lines:
        problems.append(
            f"{where}.line_end: {span.line_end} is past the candidate's last line ({lines})"
        )
    return problems
