"""Agreement between judges: Krippendorff's alpha and pairwise percent agreement.

Alpha comes from the ``krippendorff`` package, never reimplemented here. Every result carries its
sample sizes, because an alpha over a handful of units says little.

- preferences, ordinal: the 5-point signed strength −2..2 in candidate terms
  (``PreferenceVote.signed``);
- preferences, nominal: the label ``first`` / ``tie`` / ``second``;
- rubric, ordinal: one alpha per criterion, the unit being (item, candidate).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np

from codejury.errors import InvalidInput
from codejury.quality.votes import LABELS, Key, PreferenceVote, RubricRating, key_order

Level = Literal["nominal", "ordinal", "interval"]


@dataclass(frozen=True, slots=True)
class AlphaResult:
    """Krippendorff's alpha with the sample it rests on.

    ``alpha`` is ``None`` when it is undefined: no unit has two values, or all pairable values are
    equal. ``units`` counts units with at least two values (the pairable ones), ``pairable_values``
    the values in them, ``annotators`` the judges who gave at least one pairable value.
    """

    alpha: float | None
    level: Level
    units: int
    pairable_values: int
    annotators: int


@dataclass(frozen=True, slots=True)
class PairAgreement:
    """How often two judges gave the same label on the units both judged."""

    worker_a: Key
    worker_b: Key
    agreed: int
    n: int

    @property
    def percent(self) -> float:
        return 100.0 * self.agreed / self.n


def krippendorff_alpha(
    units: Sequence[Hashable],
    workers: Sequence[Hashable],
    values: Sequence[float],
    *,
    level: Level,
    domain: Sequence[float] | None = None,
) -> AlphaResult:
    """Alpha over long-format rows ``(unit, worker, value)``; one value per (unit, worker)."""
    import krippendorff

    if not len(units) == len(workers) == len(values):
        raise InvalidInput("units, workers and values must have the same length")
    seen: set[tuple[Hashable, Hashable]] = set()
    for unit, worker in zip(units, workers, strict=True):
        if (unit, worker) in seen:
            raise InvalidInput("one value per unit and judge", [f"unit {unit!r}, judge {worker!r}"])
        seen.add((unit, worker))
    value_domain = sorted(set(values) if domain is None else set(domain))
    stray = set(values) - set(value_domain)
    if stray:
        raise InvalidInput("values outside the domain", [f"value {x!r}" for x in sorted(stray)])
    unit_index: dict[Hashable, int] = {}
    u = np.array([unit_index.setdefault(unit, len(unit_index)) for unit in units], dtype=np.int64)
    v = np.searchsorted(np.asarray(value_domain, dtype=float), np.asarray(values, dtype=float))
    counts = np.zeros((len(unit_index), max(len(value_domain), 1)), dtype=np.int64)
    np.add.at(counts, (u, v), 1)
    pairable = counts.sum(axis=1) >= 2
    kept = counts[pairable]
    judges = {w for w, unit_code in zip(workers, u, strict=True) if pairable[unit_code]}
    alpha: float | None = None
    if np.count_nonzero(kept.sum(axis=0)) >= 2:
        alpha = float(
            krippendorff.alpha(
                value_counts=kept, value_domain=value_domain, level_of_measurement=level
            )
        )
    return AlphaResult(alpha, level, int(pairable.sum()), int(kept.sum()), len(judges))


def preference_alpha(
    votes: Iterable[PreferenceVote], *, level: Literal["ordinal", "nominal"] = "ordinal"
) -> AlphaResult:
    """Alpha over pairwise votes: ordinal on the signed strength −2..2, or nominal on the label."""
    rows = list(votes)
    units = [vote.unit for vote in rows]
    workers = [vote.worker for vote in rows]
    if level == "ordinal":
        values = [float(vote.signed) for vote in rows]
        domain = [-2.0, -1.0, 0.0, 1.0, 2.0]
    else:
        values = [float(LABELS.index(vote.label)) for vote in rows]
        domain = [0.0, 1.0, 2.0]
    return krippendorff_alpha(units, workers, values, level=level, domain=domain)


def rubric_alpha(
    ratings: Iterable[RubricRating], *, level: Level = "ordinal"
) -> dict[str, AlphaResult]:
    """One alpha per rubric criterion; the unit is (item, candidate)."""
    by_criterion: dict[str, list[RubricRating]] = defaultdict(list)
    for rating in ratings:
        by_criterion[rating.criterion].append(rating)
    return {
        criterion: krippendorff_alpha(
            [(r.item, r.candidate) for r in rows],
            [r.worker for r in rows],
            [r.value for r in rows],
            level=level,
        )
        for criterion, rows in sorted(by_criterion.items())
    }


def pairwise_agreement(votes: Iterable[PreferenceVote]) -> list[PairAgreement]:
    """Percent agreement on the label for every pair of judges who shared at least one unit."""
    by_unit: dict[tuple[Key, int, int], dict[Key, str]] = defaultdict(dict)
    for vote in votes:
        by_unit[vote.unit][vote.worker] = vote.label
    agreed: dict[tuple[Key, Key], int] = defaultdict(int)
    shared: dict[tuple[Key, Key], int] = defaultdict(int)
    for labels in by_unit.values():
        for a, b in combinations(sorted(labels, key=key_order), 2):
            shared[(a, b)] += 1
            agreed[(a, b)] += labels[a] == labels[b]
    return [
        PairAgreement(a, b, agreed[(a, b)], n)
        for (a, b), n in sorted(
            shared.items(), key=lambda kv: (key_order(kv[0][0]), key_order(kv[0][1]))
        )
    ]
