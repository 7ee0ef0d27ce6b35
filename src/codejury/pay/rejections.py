"""What a rejection costs, and when unreviewed work is approved on its own.

A rejected judgment earns no piece pay, but its time is still paid, unless the rejection is for
fraud or spam *and* rests on objective evidence stored with the review. ``validate_rejection`` is
the check a review flow calls before it stores a rejection; ``is_fraud_rejection`` is how pay reads
a stored one (a fraud code whose evidence does not hold up is treated as an ordinary rejection: time
is paid).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from codejury.errors import InvalidInput

AUTO_APPROVE_DAYS = 21

# Each fraud code, and the evidence it needs: key -> what it must be.
FRAUD_EVIDENCE: Mapping[str, Mapping[str, str]] = {
    "fraud_failed_gold": {"gold_judgment_ids": "a non-empty list of failed gold judgment ids"},
    "fraud_too_fast": {
        "active_seconds": "the seconds actually spent (a number)",
        "min_seconds": "the least plausible time for the item (a number above active_seconds)",
    },
    "spam_duplicate": {"duplicate_of": "a non-empty list of the judgment ids it duplicates"},
}
FRAUD_CODES = tuple(FRAUD_EVIDENCE)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _evidence_problems(reason_code: str, evidence: Mapping[str, Any] | None) -> list[str]:
    needed = FRAUD_EVIDENCE[reason_code]
    if not evidence:
        return [f"evidence.{key}: missing; {what}" for key, what in needed.items()]
    problems = []
    for key, what in needed.items():
        value = evidence.get(key)
        if key in ("gold_judgment_ids", "duplicate_of"):
            ok = isinstance(value, list) and len(value) > 0
        else:
            ok = _is_number(value)
        if not ok:
            problems.append(f"evidence.{key}: {'missing' if value is None else 'invalid'}; {what}")
    if reason_code == "fraud_too_fast" and not problems:
        assert evidence is not None
        if not evidence["active_seconds"] < evidence["min_seconds"]:
            problems.append(
                "evidence: active_seconds is not below min_seconds, so it was not too fast"
            )
    return problems


def validate_rejection(reason_code: str | None, evidence: Mapping[str, Any] | None) -> bool:
    """Check a rejection before it is stored; return True when it withholds pay for time (fraud).

    Every rejection needs a reason code. A fraud or spam code (``FRAUD_CODES``) also needs the
    objective evidence listed in ``FRAUD_EVIDENCE``; without it the rejection is refused.
    """
    if not reason_code or not reason_code.strip():
        raise InvalidInput("a rejection needs a reason code")
    if reason_code not in FRAUD_EVIDENCE:
        return False
    problems = _evidence_problems(reason_code, evidence)
    if problems:
        raise InvalidInput(
            f"a {reason_code} rejection withholds pay and needs objective evidence", problems
        )
    return True


def is_fraud_rejection(reason_code: str | None, evidence: Mapping[str, Any] | None) -> bool:
    """Whether a stored rejection withholds pay for time (a fraud code backed by valid evidence)."""
    if reason_code is None or reason_code not in FRAUD_EVIDENCE:
        return False
    return not _evidence_problems(reason_code, evidence)


class Reviewable(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


def due_for_auto_approval(
    judgments: Iterable[Reviewable], now: datetime, days: int = AUTO_APPROVE_DAYS
) -> list[int]:
    """Ids of pending judgments submitted at least ``days`` full days before ``now``."""
    cutoff = now - timedelta(days=days)
    return sorted(j.id for j in judgments if j.status == "pending" and j.created_at <= cutoff)
