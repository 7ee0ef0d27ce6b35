"""Long-format records that every quality measure reads.

A stored judgment ranks the candidates of one item (best first) as they were shown to one judge.
Quality control works on *pairwise votes* instead: one row per (item, judge, candidate pair), in
candidate terms, so that the display order never leaks into the label:

- ``first < second`` are the two candidate ids of the pair;
- ``label`` is ``"first"`` (the lower id is better), ``"tie"`` or ``"second"``;
- ``strength`` is 0 (tie), 1 (better) or 2 (much better);
- ``shown_first`` is whichever of the two the judge saw first, which the position-bias check needs.

A k-way ranking expands to its k·(k−1)/2 pairs, each with strength 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from codejury.errors import InvalidInput

Label = Literal["first", "tie", "second"]
LABELS: tuple[Label, ...] = ("first", "tie", "second")
Key = int | str


@dataclass(frozen=True, slots=True)
class PreferenceVote:
    """One judge's preference between two candidates of one item, in candidate terms."""

    item: Key
    worker: Key
    first: int
    second: int
    label: Label
    strength: int = 1
    shown_first: int | None = None
    seconds: float | None = None

    @property
    def signed(self) -> int:
        """The 5-point scale −2..2: positive when the ``first`` candidate is better."""
        if self.label == "tie":
            return 0
        return self.strength if self.label == "first" else -self.strength

    @property
    def unit(self) -> tuple[Key, int, int]:
        """What several judges rated in common: the item and the candidate pair."""
        return (self.item, self.first, self.second)

    @property
    def winner(self) -> int | None:
        if self.label == "tie":
            return None
        return self.first if self.label == "first" else self.second


@dataclass(frozen=True, slots=True)
class RubricRating:
    """One judge's rating of one candidate of one item on one rubric criterion."""

    item: Key
    worker: Key
    candidate: int
    criterion: str
    value: float


def pair_label(winner: int, loser: int, strength: int) -> tuple[int, int, Label]:
    """``(first, second, label)`` for a pairwise outcome; strength 0 is a tie."""
    first, second = sorted((winner, loser))
    if strength == 0:
        return first, second, "tie"
    return first, second, "first" if winner == first else "second"


def votes_from_judgment(
    item: Key,
    worker: Key,
    ranking: Sequence[int] | None,
    strength: int | None,
    shown_order: Sequence[int],
    *,
    seconds: float | None = None,
) -> list[PreferenceVote]:
    """Expand a stored judgment into pairwise votes.

    ``ranking`` lists candidate ids best first (``None`` for a skip: no votes). A pairwise judgment
    keeps its ``strength`` (0 tie, 1 better, 2 much better); a k-way ranking gives every pair
    strength 1.
    """
    if ranking is None:
        return []
    ranks = list(ranking)
    if len(set(ranks)) != len(ranks) or len(ranks) < 2:
        raise InvalidInput(
            "ranking must list at least two distinct candidates", [f"ranking: {ranks}"]
        )
    shown = {candidate: position for position, candidate in enumerate(shown_order)}
    if len(ranks) == 2:
        pair_strength = 1 if strength is None else int(strength)
        if pair_strength not in (0, 1, 2):
            raise InvalidInput("strength must be 0, 1 or 2", [f"strength: {strength}"])
    else:
        pair_strength = 1
    votes = []
    for i, winner in enumerate(ranks):
        for loser in ranks[i + 1 :]:
            first, second, label = pair_label(winner, loser, pair_strength)
            seen_first = min((first, second), key=lambda c: shown.get(c, len(shown)))
            votes.append(
                PreferenceVote(
                    item, worker, first, second, label, pair_strength, seen_first, seconds
                )
            )
    return votes


def gold_labels(
    gold_answer: Mapping[str, Any], candidate_ids: Sequence[int]
) -> dict[tuple[int, int], Label]:
    """The expected label of every candidate pair of a gold item.

    ``gold_answer`` is ``{"ranking": [ids best first] | None, "strength": 0..2}``; a ``None``
    ranking means every pair is a tie.
    """
    ranking = gold_answer.get("ranking")
    ids = sorted(candidate_ids)
    if ranking is None:
        return {(a, b): "tie" for i, a in enumerate(ids) for b in ids[i + 1 :]}
    given = gold_answer.get("strength")
    strength = (1 if given is None else int(given)) if len(ranking) == 2 else 1
    labels: dict[tuple[int, int], Label] = {}
    for i, winner in enumerate(ranking):
        for loser in ranking[i + 1 :]:
            first, second, label = pair_label(winner, loser, strength)
            labels[(first, second)] = label
    return labels


def ratings_from_judgment(
    item: Key, worker: Key, ratings: Mapping[Any, Mapping[str, Any]]
) -> list[RubricRating]:
    """Flatten stored ``{candidate_id: {criterion: value}}`` ratings (JSON keys may be strings)."""
    rows = []
    for candidate, by_criterion in ratings.items():
        for criterion, value in by_criterion.items():
            if value is None:
                continue
            rows.append(RubricRating(item, worker, int(candidate), str(criterion), float(value)))
    return rows


def key_order(key: Key) -> tuple[int, int, str]:
    """Sort key that orders integer ids numerically and puts string ids after them."""
    if isinstance(key, int):
        return (0, key, "")
    return (1, 0, key)
