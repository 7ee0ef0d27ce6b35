from datetime import UTC, date, datetime

import pytest

from codejury.quality.gold import GoldResult, gold_accuracy, gold_accuracy_by_week
from codejury.quality.intervals import wilson_interval

MON = datetime(2025, 3, 3, 9, tzinfo=UTC)  # a Monday
SUN = datetime(2025, 3, 9, 23, tzinfo=UTC)
NEXT = datetime(2025, 3, 10, 1, tzinfo=UTC)


def results():
    return [
        GoldResult("ann", 1, True, MON),
        GoldResult("ann", 2, False, SUN),
        GoldResult("ann", 3, False, SUN, contest="open"),  # not ruled on: left out
        GoldResult("ann", 4, False, NEXT, contest="overturned"),  # gold was wrong: left out
        GoldResult("ann", 5, True, NEXT, contest="upheld"),  # gold stands: counted
        GoldResult("bob", 1, True, MON),
    ]


def test_accuracy_counts_only_results_whose_gold_answer_stands():
    ann, bob = gold_accuracy(results())
    assert (ann.worker, ann.correct, ann.n, ann.excluded) == ("ann", 2, 3, 2)
    assert ann.accuracy == pytest.approx(2 / 3)
    assert (ann.low, ann.high) == wilson_interval(2, 3)
    assert (bob.correct, bob.n, bob.accuracy) == (1, 1, 1.0)


def test_weekly_accuracy_groups_by_iso_week():
    rows = gold_accuracy_by_week(results())
    got = [(r.worker, r.week, r.correct, r.n, r.excluded) for r in rows]
    assert got == [
        ("ann", date(2025, 3, 3), 1, 2, 1),
        ("ann", date(2025, 3, 10), 1, 1, 1),
        ("bob", date(2025, 3, 3), 1, 1, 0),
    ]


def test_worker_with_only_open_contests_has_no_accuracy():
    [row] = gold_accuracy([GoldResult(7, 1, False, MON, contest="open")])
    assert (row.n, row.accuracy, row.low, row.high, row.excluded) == (0, None, 0.0, 1.0, 1)
