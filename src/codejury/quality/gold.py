"""Gold accuracy per annotator, overall and week by week, with Wilson intervals.

A gold result counts only once its gold answer stands:

- no contest, or a contest ruled ``"upheld"`` (the gold answer stands): counted as given;
- a contest still ``"open"``: left out until it is ruled on, so it never counts against anyone
  meanwhile;
- a contest ruled ``"overturned"`` (the gold answer was wrong): left out. Code that re-scores the
  judgment against a corrected answer passes the new result with ``contest=None``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from codejury.quality.intervals import wilson_interval
from codejury.quality.votes import Key, key_order

ContestStatus = Literal["open", "upheld", "overturned"]


@dataclass(frozen=True, slots=True)
class GoldResult:
    """One judgment on a gold item, scored against the gold answer."""

    worker: Key
    item: Key
    correct: bool
    at: datetime
    contest: ContestStatus | None = None

    @property
    def counts(self) -> bool:
        return self.contest is None or self.contest == "upheld"


@dataclass(frozen=True, slots=True)
class GoldAccuracy:
    worker: Key
    correct: int
    n: int
    accuracy: float | None
    low: float
    high: float
    excluded: int = 0  # results left out: contests open or overturned
    week: date | None = None  # Monday of the ISO week, for weekly figures


def _summary(
    worker: Key, flags: list[bool], excluded: int, level: float, week: date | None = None
) -> GoldAccuracy:
    correct, n = sum(flags), len(flags)
    low, high = wilson_interval(correct, n, level)
    return GoldAccuracy(worker, correct, n, correct / n if n else None, low, high, excluded, week)


def gold_accuracy(results: Iterable[GoldResult], *, level: float = 0.95) -> list[GoldAccuracy]:
    """Accuracy on gold per annotator, sorted by worker, with its Wilson interval at ``level``."""
    scored: dict[Key, list[bool]] = defaultdict(list)
    excluded: dict[Key, int] = defaultdict(int)
    for result in results:
        if result.counts:
            scored[result.worker].append(result.correct)
        else:
            excluded[result.worker] += 1
    workers = sorted(set(scored) | set(excluded), key=key_order)
    return [_summary(w, scored.get(w, []), excluded.get(w, 0), level) for w in workers]


def week_start(moment: datetime) -> date:
    """Monday of the ISO week holding ``moment`` (in its own time zone)."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def gold_accuracy_by_week(
    results: Iterable[GoldResult], *, level: float = 0.95
) -> list[GoldAccuracy]:
    """Accuracy on gold per annotator and ISO week (``week`` = its Monday), sorted by worker then
    week."""
    scored: dict[tuple[Key, date], list[bool]] = defaultdict(list)
    excluded: dict[tuple[Key, date], int] = defaultdict(int)
    for result in results:
        key = (result.worker, week_start(result.at))
        if result.counts:
            scored[key].append(result.correct)
        else:
            excluded[key] += 1
    keys = sorted(set(scored) | set(excluded), key=lambda k: (key_order(k[0]), k[1]))
    return [
        _summary(w, scored.get((w, wk), []), excluded.get((w, wk), 0), level, wk) for w, wk in keys
    ]
