"""check_judgment on plain data: every problem named by its field."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codejury.assign.schemas import JudgmentIn
from codejury.assign.validation import ItemView, check_judgment, line_count

CODE = "a = 1\nb = 2\nprint(a + b)\n"  # 3 lines
PAIR = ItemView(
    [3, 7], "pairwise", {3: CODE, 7: CODE}, [{"name": "correctness", "min": 1, "max": 5}]
)
TRIPLE = ItemView([1, 2, 9], "ranking", {1: CODE, 2: CODE, 9: ""})


def fields(payload: dict[str, object], view: ItemView = PAIR) -> list[str]:
    return [p.split(":")[0] for p in check_judgment(JudgmentIn.model_validate(payload), view)]


def test_a_valid_pairwise_judgment_has_no_problems() -> None:
    payload = {
        "ranking": [7, 3],
        "strength": 0,
        "ratings": {"3": {"correctness": 1}, "7": {"correctness": 5}},
        "error_spans": [
            {
                "candidate_id": 3,
                "line_start": 1,
                "line_end": 3,
                "category": "off_by_one",
                "severity": "minor",
            }
        ],
    }
    assert fields(payload) == []


def test_pairwise_needs_a_strength_within_zero_to_two() -> None:
    assert fields({"ranking": [3, 7]}) == ["strength"]
    assert fields({"ranking": [3, 7], "strength": -1}) == ["strength"]
    assert fields({"ranking": [3, 7], "strength": 3}) == ["strength"]


def test_ranking_mode_takes_no_strength() -> None:
    assert fields({"ranking": [9, 1, 2]}, TRIPLE) == []
    assert fields({"ranking": [9, 1, 2], "strength": 1}, TRIPLE) == ["strength"]


def test_ranking_must_be_a_permutation_of_the_candidates() -> None:
    assert fields({"ranking": [3, 3], "strength": 1}) == ["ranking"]
    assert fields({"ranking": [3], "strength": 1}) == ["ranking"]
    assert fields({"ranking": [0, 1], "strength": 1}) == ["ranking"]  # screen positions are not ids
    assert fields({"strength": 1}) == ["ranking"]


def test_ratings_name_the_candidate_and_criterion() -> None:
    payload = {
        "ranking": [3, 7],
        "strength": 1,
        "ratings": {"3": {"correctness": 6, "speed": 1}, "5": {}},
    }
    assert fields(payload) == ["ratings.3.correctness", "ratings.3.speed", "ratings.5"]
    assert fields({"ranking": [3, 7], "strength": 1, "ratings": {"3": {"correctness": 0}}}) == [
        "ratings.3.correctness"
    ]


def test_error_spans_must_fit_the_candidate() -> None:
    span = {
        "candidate_id": 9,
        "line_start": 1,
        "line_end": 1,
        "category": "logic",
        "severity": "major",
    }
    bad = [
        span,  # an empty candidate has no lines
        {**span, "candidate_id": 4},
        {**span, "candidate_id": 1, "line_start": 0, "line_end": 4, "severity": "fatal"},
        {**span, "candidate_id": 2, "line_start": 3, "line_end": 2, "category": "typo", "step": -1},
    ]
    assert fields({"ranking": [1, 2, 9], "error_spans": bad}, TRIPLE) == [
        "error_spans[0].line_end",
        "error_spans[1].candidate_id",
        "error_spans[2].severity",
        "error_spans[2].line_start",
        "error_spans[2].line_end",
        "error_spans[3].category",
        "error_spans[3].step",
        "error_spans[3].line_end",
    ]


def test_a_skip_needs_a_known_reason_and_nothing_else() -> None:
    assert fields({"skip_reason": "harmful_content"}) == []
    assert fields({"skip_reason": "tired", "ranking": [3, 7], "strength": 1}) == [
        "skip_reason",
        "ranking",
        "strength",
    ]


def test_line_count_ignores_a_trailing_newline() -> None:
    assert (line_count(""), line_count("x"), line_count("x\n"), line_count("x\ny")) == (0, 1, 1, 2)


@given(st.lists(st.integers(1, 10_000), min_size=2, max_size=6, unique=True), st.randoms())
def test_any_permutation_is_accepted_and_any_other_list_is_not(ids: list[int], rnd) -> None:  # type: ignore[no-untyped-def]
    view = ItemView(sorted(ids), "ranking", {i: CODE for i in ids})
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert fields({"ranking": shuffled}, view) == []
    assert fields({"ranking": shuffled[:-1]}, view) == ["ranking"]
    assert fields({"ranking": [*shuffled[:-1], shuffled[0]]}, view) == ["ranking"]
