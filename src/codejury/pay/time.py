"""Paid time from declared work events.

CodeJury knows two clocks and nothing else: the server's (when an item was leased, when it was
submitted) and the browser's pausable task timer (active seconds, paused after ``idle_seconds``
without input and whenever the annotator presses pause). No keystroke, mouse movement, screen
content or camera is ever captured; the timer only counts seconds and reports declared events.

Rules (``TimeRule`` holds the numbers):

- **Assignment** (lease → submit, skip or late submit): the server window is the time from the lease
  to the end event, less the part of each reported idle gap beyond ``idle_threshold``. Paid time is
  ``min(server window, active seconds + allowance)``; the allowance covers page loads and network
  time. When the timer reported nothing (an API submit), the server window counts. Late submits
  (kept but not counted) and skips are paid the same way.
- **Lease that ended without a submit** (expired or released): only the timer's reported active
  seconds, capped by the window; opening an item and walking away earns nothing.

The engine writes an end event (submit, skip, late submit, release) over the window it closes:
``started_at`` is the lease, ``ended_at`` the moment it happened. An end event with no ``ended_at``
happened at its ``started_at``.
- **Guidelines, practice, qualification, rework**: ``min(window, active + allowance)`` when both are
  known, else whichever is known. Qualification and practice are paid whether passed or failed;
  reading the guidelines again after a new version is paid again.

Paid seconds are rounded up to the whole second per span.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

EVENT_KINDS = (
    "lease",
    "submit",
    "skip",
    "idle",
    "guidelines",
    "practice",
    "qualification",
    "rework",
    "late_submit",
    "release",
)
END_KINDS = ("submit", "skip", "late_submit")
_NO_META: Mapping[str, Any] = MappingProxyType({})
STANDALONE_KINDS = ("guidelines", "practice", "qualification", "rework")


@dataclass(frozen=True)
class TimeRule:
    idle_threshold: float = 120.0  # seconds without input before a gap counts as idle
    allowance: float = 60.0  # seconds added to the timer's count before comparing with the server


@dataclass(frozen=True)
class Event:
    """One declared work event (the plain twin of ``WorkEvent``).

    ``active_seconds`` is what the browser timer reported (None: no report). For ``idle`` events
    it is the gap length when ``ended_at`` is missing.
    """

    kind: str
    started_at: datetime
    ended_at: datetime | None = None
    active_seconds: float | None = None
    assignment_id: int | None = None
    id: int | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PaidTime:
    """Time owed for one assignment or one standalone event."""

    key: str  # "assignment:<id>" or "event:<id>"
    # assignment | skip | late_submit | expired | guidelines | practice | qualification | rework
    kind: str
    started_at: datetime
    ended_at: datetime
    server_seconds: float | None
    active_seconds: float | None
    paid_seconds: int
    assignment_id: int | None = None


def recorded_event(
    kind: str,
    started_at: datetime,
    ended_at: datetime | None,
    seconds: float,
    assignment_id: int | None = None,
    event_id: int | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Event:
    """The plain event of a stored work event row, for pay and the hour caps alike.

    ``seconds`` is the timer's report. An end event always carries one, 0 included: when the timer
    reported nothing the engine records the server window. For any other kind 0 means no report."""
    active = seconds if seconds > 0 or kind in END_KINDS else None
    return Event(kind, started_at, ended_at, active, assignment_id, event_id, meta or _NO_META)


def _window(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds())


def _whole(seconds: float) -> int:
    return max(0, math.ceil(seconds - 1e-9))


def _gap(event: Event) -> float:
    window = _window(event.started_at, event.ended_at)
    return window if window is not None else max(0.0, event.active_seconds or 0.0)


def _moment(event: Event) -> datetime:
    """When an end event (submit, skip, late submit, release) happened. The engine records one over
    the window it closes, from the lease to that moment; a bare event carries only the moment."""
    return event.ended_at or event.started_at


def _assignment_time(assignment_id: int, events: list[Event], rule: TimeRule) -> PaidTime | None:
    leases = sorted((e for e in events if e.kind == "lease"), key=lambda e: e.started_at)
    ends = sorted((e for e in events if e.kind in END_KINDS), key=_moment)
    lease = leases[0] if leases else None
    if not ends:
        releases = sorted((e for e in events if e.kind == "release"), key=_moment)
        return _unfinished_time(assignment_id, lease, releases[0] if releases else None)
    end = ends[0]
    start = lease.started_at if lease else end.started_at
    finished = _moment(end)
    idle = sum(
        max(0.0, _gap(e) - rule.idle_threshold)
        for e in events
        if e.kind == "idle" and start <= e.started_at <= finished
    )
    server = max(0.0, (finished - start).total_seconds() - idle)
    active = end.active_seconds
    if lease is None:
        paid = active or 0.0  # no lease seen: the server window is unknown
    elif active is None:
        paid = server
    else:
        paid = min(server, active + rule.allowance)
    kind = "assignment" if end.kind == "submit" else end.kind
    return PaidTime(
        f"assignment:{assignment_id}",
        kind,
        start,
        finished,
        server if lease else None,
        active,
        _whole(paid),
        assignment_id,
    )


def _unfinished_time(
    assignment_id: int, lease: Event | None, release: Event | None
) -> PaidTime | None:
    """A lease given back or expired without a submit: the timer's reported seconds, capped by the
    window. The report comes with the release, or on the lease itself once it ended."""
    if release is not None:
        start = lease.started_at if lease else release.started_at
        ended, active = _moment(release), release.active_seconds
    elif lease is not None and lease.ended_at is not None and lease.ended_at > lease.started_at:
        start, ended, active = lease.started_at, lease.ended_at, lease.active_seconds
    else:
        return None  # still open, or expired with nothing reported: nothing owed
    window = max(0.0, (ended - start).total_seconds())
    return PaidTime(
        f"assignment:{assignment_id}",
        "expired",
        start,
        ended,
        window,
        active,
        _whole(min(window, active or 0.0)),
        assignment_id,
    )


def _standalone_time(event: Event, rule: TimeRule) -> PaidTime | None:
    window = _window(event.started_at, event.ended_at)
    active = event.active_seconds
    if window is not None and active is not None:
        paid = min(window, active + rule.allowance)
    elif window is not None:
        paid = window
    elif active is not None:
        paid = active
    else:
        return None
    ended = event.ended_at or event.started_at
    key = f"event:{event.id}" if event.id is not None else f"event:{event.kind}:{event.started_at}"
    return PaidTime(key, event.kind, event.started_at, ended, window, active, _whole(paid))


def paid_time(events: Iterable[Event], rule: TimeRule | None = None) -> list[PaidTime]:
    """Every span of paid time in ``events`` (one annotator's), ordered by when it ended."""
    rule = rule or TimeRule()
    by_assignment: dict[int, list[Event]] = defaultdict(list)
    spans: list[PaidTime] = []
    for event in events:
        if event.kind in STANDALONE_KINDS:
            span = _standalone_time(event, rule)
            if span is not None:
                spans.append(span)
        elif event.assignment_id is not None:
            by_assignment[event.assignment_id].append(event)
    for assignment_id, group in by_assignment.items():
        span = _assignment_time(assignment_id, group, rule)
        if span is not None:
            spans.append(span)
    return sorted(spans, key=lambda s: (s.ended_at, s.key))


def total_seconds(spans: Iterable[PaidTime]) -> int:
    return sum(s.paid_seconds for s in spans)
