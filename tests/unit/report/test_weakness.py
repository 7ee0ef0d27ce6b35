"""Weakness slices and the next-round plan from hand-made votes."""

from __future__ import annotations

import itertools

import pytest

from codejury.quality.intervals import wilson_interval
from codejury.report.weakness import (
    ErrorMark,
    ModelVote,
    plan_budget,
    report_dict,
    slice_report,
    weakness_report,
)

_ids = itertools.count(1)


def votes(slice_name: str, wins: int, losses: int, ties: int = 0, **kw: object) -> list[ModelVote]:
    outcomes = [1.0] * wins + [0.0] * losses + [0.5] * ties
    rows = []
    for outcome in outcomes:
        n = next(_ids)
        fields: dict = {"candidate": 1000 + n, "other": 2000 + n, **kw}
        rows.append(ModelVote(n, n, (slice_name,), other_source="B", outcome=outcome, **fields))
    return rows


def test_win_rate_and_wilson_interval() -> None:
    report = slice_report("language=python", votes("language=python", 7, 2, 2), [])
    assert report.win_rate == pytest.approx(8 / 11)
    assert (report.low, report.high) == pytest.approx(wilson_interval(8, 11))
    assert (report.items, report.judgments, report.comparisons) == (11, 11, 11)


def test_plan_sums_to_budget_and_favours_the_weak_slice() -> None:
    rows = votes("language=python", 16, 4) + votes("language=rust", 4, 16)
    report = weakness_report("A", rows, budget=100, min_judgments=0)
    assert sum(report.plan.values()) == 100
    # equal interval widths (mirror-image rates), so the plan follows 1 − win rate: 0.2 vs 0.8
    assert report.plan == {"language=python": 20, "language=rust": 80}
    assert [s.slice for s in report.slices] == ["language=rust", "language=python"]


def test_under_judged_slice_is_never_left_out() -> None:
    rows = votes("language=python", 30, 30) + votes("language=go", 2, 0)
    report = weakness_report("A", rows, budget=10, min_judgments=5)
    assert report.plan["language=go"] >= 1  # won everything (weight 0) but barely judged
    assert sum(report.plan.values()) == 10


def test_budget_smaller_than_exploration_goes_to_least_judged() -> None:
    rows = votes("language=go", 3, 0) + votes("language=c", 1, 0)
    report = weakness_report("A", rows, budget=1, min_judgments=10)
    assert report.plan == {"language=c": 1, "language=go": 0}


def test_unjudged_known_slice_counts_as_half_and_width_one() -> None:
    report = weakness_report(
        "A", votes("kind=completion", 5, 5), known_slices=["kind=review"], budget=7
    )
    review = next(s for s in report.slices if s.slice == "kind=review")
    assert (review.judgments, review.win_rate, review.weight) == (0, None, 0.5)
    assert sum(report.plan.values()) == 7 and report.plan["kind=review"] >= 1


def test_plan_handles_zero_budget_and_no_slices() -> None:
    assert plan_budget([], 10, 5) == {}
    report = weakness_report("A", votes("language=go", 1, 1), budget=0)
    assert report.plan == {"language=go": 0}


def test_disagreement_with_tests_both_ways() -> None:
    rows = (
        votes("x=1", 2, 0, passed=False, other_passed=True)  # people preferred our failing one
        + votes("x=1", 0, 1, passed=True, other_passed=False)  # people preferred their failing one
        + votes("x=1", 3, 0, passed=True, other_passed=False)  # people agree with the tests
        + votes("x=1", 0, 0, 1, passed=True, other_passed=False)  # a tie: neither
        + votes("x=1", 4, 0, passed=True, other_passed=True)  # both pass: not mixed
        + votes("x=1", 1, 0)  # not executed
    )
    d = slice_report("x=1", rows, []).disagreement
    assert (d.mixed, d.failing_preferred) == (7, 3)
    assert (d.model_failing_preferred, d.other_failing_preferred) == (2, 1)
    assert d.rate == pytest.approx(3 / 7)
    assert [c["model_failing"] for c in d.cases] == [True, True, False]


def test_pass_rate_counts_distinct_candidates_that_ran() -> None:
    rows = votes("x=1", 1, 0, passed=True) + votes("x=1", 1, 0, passed=False) + votes("x=1", 1, 0)
    report = slice_report("x=1", rows, [])
    assert (report.passed, report.executed, report.pass_rate) == (1, 2, 0.5)


def test_error_categories_make_slices_outside_the_plan() -> None:
    rows = votes("language=python", 1, 3)
    marks = [
        ErrorMark(rows[1].judgment, rows[1].candidate, "logic", "major"),
        ErrorMark(rows[2].judgment, rows[2].candidate, "logic", "minor"),
        ErrorMark(rows[2].judgment, rows[2].candidate, "style", "minor"),
        ErrorMark(rows[2].judgment, rows[2].other, "security", "critical"),  # the other model's
    ]
    report = weakness_report("A", rows, marks, budget=10, min_judgments=0)
    by_name = {s.slice: s for s in report.slices}
    assert set(by_name) == {"language=python", "error=logic", "error=style"}
    assert by_name["error=logic"].comparisons == 2 and by_name["error=logic"].win_rate == 0.0
    assert set(report.plan) == {"language=python"} and report.plan["language=python"] == 10
    overall = report.overall
    assert overall.errors == [("logic", 2), ("style", 1)]
    assert overall.severities == [("minor", 2), ("major", 1)]
    data = report_dict(report)
    assert data["plan"]["items"] == {"language=python": 10}
    assert data["overall"]["errors"][0] == {"category": "logic", "count": 2}
