"""What is owed, entry by entry, before it is put on a statement.

Every payable thing has a stable key: ``judgment:<id>`` for the piece pay of a judgment (a revision
shares the key of the judgment it revises, so a unit is paid once), ``assignment:<id>`` or
``event:<id>`` for a span of time. A statement lists the keys it paid, so an entry is paid at most
once, and anything owed but not yet paid lands on the next statement issued.

- Piece pay is owed for a counted judgment once it is accepted (by a reviewer or automatically), or
  once an appeal against its rejection is granted (a *restored* entry).
- Time is owed when the work ends, whatever the review says, except for a judgment rejected for
  fraud with evidence: that time is withheld until an appeal is granted (then restored). Pay already
  on a statement is never taken back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from codejury.pay.time import PaidTime


@dataclass(frozen=True)
class JudgmentRecord:
    """What pay needs to know about one judgment (built from Judgment, Review and Appeal rows)."""

    id: int
    key: str  # "judgment:<id of the first version>"
    leased_at: datetime  # picks the rate
    submitted_at: datetime
    status: str  # pending | accepted | rejected
    status_at: datetime | None = None
    assignment_id: int | None = None
    counts: bool = True  # False for skips, late submits and superseded versions: time only
    fraud: bool = False  # rejected for fraud or spam with valid evidence
    appeal_id: int | None = None
    appeal_granted_at: datetime | None = None
    gold_correct: bool | None = None  # None: not a gold item


@dataclass(frozen=True)
class UnitEntry:
    key: str
    judgment_id: int
    leased_at: datetime
    worked_at: datetime  # decides the period the unit belongs to
    payable_at: datetime  # when it became owed
    gold_correct: bool | None = None
    restored: bool = False


@dataclass(frozen=True)
class TimeEntry:
    key: str
    kind: str
    started_at: datetime  # picks the floor
    worked_at: datetime
    payable_at: datetime
    seconds: int
    restored: bool = False


def unit_entries(records: Iterable[JudgmentRecord]) -> list[UnitEntry]:
    entries = []
    for r in records:
        if not r.counts:
            continue
        if r.appeal_granted_at is not None:
            payable_at, restored = r.appeal_granted_at, True
        elif r.status == "accepted":
            payable_at, restored = r.status_at or r.submitted_at, False
        else:
            continue
        entries.append(
            UnitEntry(
                r.key, r.id, r.leased_at, r.submitted_at, payable_at, r.gold_correct, restored
            )
        )
    return entries


def time_entries(spans: Iterable[PaidTime], records: Iterable[JudgmentRecord]) -> list[TimeEntry]:
    by_assignment = {r.assignment_id: r for r in records if r.assignment_id is not None}
    entries = []
    for span in spans:
        record = by_assignment.get(span.assignment_id) if span.assignment_id else None
        payable_at, restored = span.ended_at, False
        if record is not None and record.fraud:
            if record.appeal_granted_at is not None:
                payable_at, restored = max(span.ended_at, record.appeal_granted_at), True
            elif record.status == "rejected":
                continue  # withheld
        entries.append(
            TimeEntry(
                span.key,
                span.kind,
                span.started_at,
                span.ended_at,
                payable_at,
                span.paid_seconds,
                restored,
            )
        )
    return entries
