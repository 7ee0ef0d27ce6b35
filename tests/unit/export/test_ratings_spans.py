from __future__ import annotations

import pytest

from codejury.export.card import CardInfo, PayPolicy, render_card, slice_counts
from codejury.export.ratings import CandidateRatings, rating_rows
from codejury.export.spans import CandidateSpans, Span, span_rows


def test_ratings_average_per_criterion_with_counts() -> None:
    c = CandidateRatings(
        candidate_id=5,
        task_id="t",
        prompt="p",
        response="r",
        ratings=[{"correctness": 4, "style": 2}, {"correctness": 2}],
        source="m",
        annotators=("x", "y"),
    )
    [row] = rating_rows([c])
    assert row["correctness"] == pytest.approx(3.0) and row["correctness_count"] == 2
    assert row["style"] == pytest.approx(2.0) and row["style_count"] == 1
    assert row["judgments"] == 2 and row["prompt"] == "p" and row["response"] == "r"


def test_ratings_skip_unrated_and_fill_missing_criteria() -> None:
    rated = CandidateRatings(1, "t", "p", "r", [{"a": 1}])
    other = CandidateRatings(2, "t", "p", "r2", [{"b": 5}])
    none = CandidateRatings(3, "t", "p", "r3", [])
    rows = rating_rows([rated, other, none])
    assert [r["candidate_id"] for r in rows] == [1, 2]
    assert rows[0]["b"] is None and rows[0]["b_count"] == 0


def test_spans_sorted_and_judged_candidates_without_spans_kept() -> None:
    spans = [Span(9, 9, "logic", "major"), Span(2, 3, "style", "minor", "naming")]
    rows = span_rows(
        [
            CandidateSpans(1, "t", "p", "code", spans, judgments=2),
            CandidateSpans(2, "t", "p", "clean", [], judgments=1),
            CandidateSpans(3, "t", "p", "unseen", [], judgments=0),
        ]
    )
    assert [r["candidate_id"] for r in rows] == [1, 2]
    assert rows[0]["spans"][0] == {
        "line_start": 2,
        "line_end": 3,
        "category": "style",
        "severity": "minor",
        "note": "naming",
    }
    assert rows[1]["spans"] == []


def test_card_states_counts_splits_slices_and_pay() -> None:
    rows = [{"language": "python"}, {"language": "python"}, {"language": "go"}]
    card = render_card(
        CardInfo(
            title="Demo: preferences",
            project="demo",
            kind="preferences",
            fmt="jsonl",
            export_id="exp_0123456789ab",
            created_at="2026-01-01 00:00 UTC",
            rows=3,
            content_hash="abc",
            splits={"train": 2, "test": 1},
            items=2,
            tasks=2,
            judgments=6,
            annotators=3,
            slices=slice_counts(rows, ["language"]),
            agreement={"mean consensus confidence": 0.8},
            guideline_versions=[2],
            pay=[PayPolicy("USD", "0.50", "15.00", "2026-01-01")],
        )
    )
    assert "| python | 2 |" in card and "| go | 1 |" in card
    assert "| test | 1 |" in card
    assert "0.50 USD per judgment" in card and "15.00 USD per hour" in card
    assert "Guidelines version(s): v2" in card
    assert "0.800" in card
