"""Quality control as plain computation: agreement, aggregation, Bradley–Terry, gold, anomaly flags.

Everything here takes plain records in (``PreferenceVote``, ``RubricRating``, ``GoldResult``) and gives
small frozen dataclasses out; nothing touches the database. See ``docs/quality.md``.
"""

from codejury.quality.votes import (
    LABELS,
    Label,
    PreferenceVote,
    RubricRating,
    gold_labels,
    ratings_from_judgment,
    votes_from_judgment,
)

__all__ = [
    "LABELS",
    "Label",
    "PreferenceVote",
    "RubricRating",
    "gold_labels",
    "ratings_from_judgment",
    "votes_from_judgment",
]
