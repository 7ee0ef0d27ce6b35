"""Hour caps and continuous work, on plain data.

- **Caps**: an annotator's ``daily_cap_hours`` / ``weekly_cap_hours``, or the operator defaults
  below when they have none. Worked time is the paid time of spans (``codejury.pay.time``) that
  *ended* today / this week in the annotator's own time zone (a day starts at local midnight, a
  week on local Monday 00:00).
- **Breaks**: work is continuous while the gaps between spans of work are shorter than
  ``BREAK_GAP``; after ``BREAK_AFTER`` of continuous work a break is due. A declared ``break``
  event of at least ``BREAK_GAP`` counts as a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Operator defaults for annotators without caps of their own (docs/wellbeing.md).
DEFAULT_DAILY_CAP_HOURS = 8.0
DEFAULT_WEEKLY_CAP_HOURS = 40.0
BREAK_AFTER = timedelta(minutes=50)
BREAK_GAP = timedelta(minutes=5)


@dataclass(frozen=True)
class Interval:
    """A stretch of work (or of a declared break), UTC-aware."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Caps:
    daily_hours: float
    weekly_hours: float
    daily_default: bool  # True: the operator default, not the annotator's own cap
    weekly_default: bool


@dataclass(frozen=True)
class BreakStatus:
    due: bool
    continuous_minutes: float
    since: datetime | None  # start of the current stretch of continuous work
    after_minutes: float = BREAK_AFTER.total_seconds() / 60
    gap_minutes: float = BREAK_GAP.total_seconds() / 60


def caps_of(daily: float | None, weekly: float | None) -> Caps:
    return Caps(
        daily_hours=float(daily) if daily is not None else DEFAULT_DAILY_CAP_HOURS,
        weekly_hours=float(weekly) if weekly is not None else DEFAULT_WEEKLY_CAP_HOURS,
        daily_default=daily is None,
        weekly_default=weekly is None,
    )


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def day_start(now: datetime, timezone: str | None) -> datetime:
    """Local midnight of ``now``'s day in ``timezone``, as UTC."""
    local = now.astimezone(zone_of(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def week_start(now: datetime, timezone: str | None) -> datetime:
    """Local Monday 00:00 of ``now``'s week in ``timezone``, as UTC."""
    local = now.astimezone(zone_of(timezone))
    monday = (local - timedelta(days=local.weekday())).date()
    start = datetime(monday.year, monday.month, monday.day, tzinfo=local.tzinfo)
    return start.astimezone(UTC)


def seconds_ended_between(
    spans: Iterable[tuple[datetime, int]], start: datetime, end: datetime
) -> int:
    """Sum of paid seconds of the ``(ended_at, seconds)`` spans with ``start <= ended_at <= end``."""
    return sum(seconds for ended, seconds in spans if start <= ended <= end)


def cap_reason(kind: str, cap: float, worked_hours: float) -> str:
    if kind == "daily":
        return (
            f"You reached your daily cap of {cap:g} h ({worked_hours:.1f} h worked today). "
            "Work resumes tomorrow."
        )
    return (
        f"You reached your weekly cap of {cap:g} h ({worked_hours:.1f} h worked this week). "
        "Work resumes on Monday."
    )


def _merge(intervals: Sequence[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for iv in sorted(intervals, key=lambda i: i.start):
        if merged and iv.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, iv.end))
        else:
            merged.append(iv)
    return merged


def continuous_since(
    work: Sequence[Interval],
    breaks: Sequence[Interval],
    now: datetime,
    gap: timedelta = BREAK_GAP,
) -> datetime | None:
    """Start of the stretch of continuous work that reaches ``now`` (None: resting now).

    Spans of work separated by less than ``gap`` join up; a declared break of at least ``gap``
    splits them; a stretch whose last work ended ``gap`` or more before ``now`` is over.
    """
    real_breaks = [b for b in breaks if b.end - b.start >= gap]
    merged = _merge([w for w in work if w.start <= now])
    if not merged or now - merged[-1].end >= gap:
        return None
    start = merged[-1].start
    for previous in reversed(merged[:-1]):
        if start - previous.end >= gap:
            break
        start = previous.start
    for rest in real_breaks:
        if start <= rest.end <= now:
            start = max(start, rest.end)
    return start


def break_status(
    work: Sequence[Interval],
    breaks: Sequence[Interval],
    now: datetime,
    after: timedelta = BREAK_AFTER,
    gap: timedelta = BREAK_GAP,
) -> BreakStatus:
    """Whether a break is due: ``after`` or more of continuous work up to ``now``."""
    since = continuous_since(work, breaks, now, gap)
    minutes = 0.0 if since is None else (now - since).total_seconds() / 60
    return BreakStatus(
        due=since is not None and now - since >= after,
        continuous_minutes=round(minutes, 1),
        since=since,
        after_minutes=after.total_seconds() / 60,
        gap_minutes=gap.total_seconds() / 60,
    )
