"""Pay statements: one per annotator, project and week (UTC, Monday 00:00 to the next Monday).

A statement for a period lists everything owed for work done before the period's end and not yet on
an earlier statement (see ``ledger``):

- ``time``: paid hours of this period's work, by kind (amount 0: time is paid through the floor);
- ``piece``: this period's accepted judgments × the piece rate in force when each was leased;
- ``bonus``: the bonus rule of that rate, when the period's gold accuracy reaches its threshold;
- ``correction``: work from earlier periods that became owed since (late acceptance, late time);
- ``restored``: pay withheld by a rejection and given back by a granted appeal;
- ``topup``: what lifts the statement to the hourly floor.

The floor rule, exactly:

- ``required = Σ floor × paid hours`` over every span of time on the statement, each span at the
  floor in force when it started and never below the operator minimum for the currency;
- ``counted = piece + bonus`` of this period's own units;
- ``topup = max(0, required - counted)``, rounded *up* to the cent.

Corrections and restored pay are paid on top and never reduce a top-up, so
``total ≥ required ≥ floor × paid hours`` holds exactly after rounding. ``total`` is the sum of the
lines.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from codejury.errors import InvalidInput
from codejury.pay.ledger import TimeEntry, UnitEntry
from codejury.pay.policy import CENT, DEFAULT_MIN_FLOORS, PayPolicy, default_policy, rate_for

WEEK = timedelta(days=7)
HOURS = Decimal("0.0001")
SECONDS_PER_HOUR = Decimal(3600)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / SECONDS_PER_HOUR).quantize(HOURS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @classmethod
    def week_of(cls, at: datetime) -> Period:
        day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        start = day - timedelta(days=day.weekday())
        return cls(start, start + WEEK)

    @classmethod
    def starting(cls, start: date | datetime) -> Period:
        """The week starting at ``start``: a Monday 00:00 UTC (a date means 00:00 UTC that day)."""
        if not isinstance(start, datetime):
            start = datetime.combine(start, time(0), tzinfo=UTC)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        if cls.week_of(start).start != start:
            raise InvalidInput(
                f"period start {start.isoformat()} is not a Monday 00:00 UTC "
                f"(that week starts {cls.week_of(start).start.date().isoformat()})"
            )
        return cls(start, start + WEEK)

    def __contains__(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class Line:
    kind: str  # time | piece | bonus | correction | restored | topup
    description: str
    quantity: Decimal
    amount: Decimal
    ref: Mapping[str, Any]


@dataclass(frozen=True)
class Statement:
    period: Period
    currency: str
    paid_seconds: int
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def amount(self, kind: str) -> Decimal:
        return sum((li.amount for li in self.lines if li.kind == kind), Decimal("0.00"))

    def entry_keys(self) -> set[str]:
        return {key for line in self.lines for key in line.ref.get("keys", ())}


def statement_hash(statement: Statement, **identity: Any) -> str:
    """A digest of everything on the statement, so a stored one can be checked."""
    body = {
        **{k: str(v) for k, v in identity.items()},
        "period": [statement.period.start.isoformat(), statement.period.end.isoformat()],
        "currency": statement.currency,
        "paid_seconds": statement.paid_seconds,
        "lines": [
            [li.kind, li.description, str(li.quantity), str(li.amount), li.ref]
            for li in statement.lines
        ],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


PolicyAt = Callable[[datetime], PayPolicy]


def _policy_lookup(history: Sequence[PayPolicy]) -> PolicyAt:
    if not history:
        fallback = default_policy(datetime(1970, 1, 1, tzinfo=UTC))
        return lambda at: fallback
    return lambda at: rate_for(history, at)


def _time_lines(kind: str, entries: Sequence[TimeEntry], label: str) -> list[Line]:
    grouped: dict[str, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.kind].append(entry)
    lines = []
    for what in sorted(grouped):
        group = grouped[what]
        seconds = sum(e.seconds for e in group)
        ref = {"of": "time", "kind": what, "seconds": seconds, "keys": sorted(e.key for e in group)}
        text = f"{label}: {what.replace('_', ' ')}, {hours(seconds)} h"
        lines.append(Line(kind, text, hours(seconds), Decimal("0.00"), ref))
    return lines


def _piece_lines(
    kind: str, entries: Sequence[UnitEntry], policy_at: PolicyAt, currency: str, label: str
) -> list[Line]:
    grouped: dict[Decimal, list[UnitEntry]] = defaultdict(list)
    for entry in entries:
        grouped[policy_at(entry.leased_at).piece_rate].append(entry)
    lines = []
    for rate in sorted(grouped):
        group = grouped[rate]
        ref = {
            "of": "piece",
            "rate": str(rate),
            "keys": sorted(e.key for e in group),
            "judgments": sorted(e.judgment_id for e in group),
        }
        text = f"{label}: {len(group)} × {rate} {currency}"
        lines.append(Line(kind, text, Decimal(len(group)), cents(rate * len(group)), ref))
    return lines


def _bonus_lines(units: Sequence[UnitEntry], policy_at: PolicyAt, currency: str) -> list[Line]:
    gold = [u.gold_correct for u in units if u.gold_correct is not None]
    if not gold:
        return []
    accuracy = Decimal(sum(gold)) / Decimal(len(gold))
    grouped: dict[Decimal, list[UnitEntry]] = defaultdict(list)
    for unit in units:
        rule = policy_at(unit.leased_at).bonus_rule
        if rule is not None and accuracy >= rule.threshold:
            grouped[rule.amount_per_judgment].append(unit)
    lines = []
    for amount in sorted(grouped):
        group = grouped[amount]
        ref = {
            "rule": "gold_accuracy",
            "accuracy": str(accuracy.quantize(HOURS)),
            "gold_judgments": len(gold),
            "judgments": sorted(u.judgment_id for u in group),
        }
        text = f"Gold accuracy bonus: {len(group)} × {amount} {currency}"
        lines.append(Line("bonus", text, Decimal(len(group)), cents(amount * len(group)), ref))
    return lines


def _floor_of(policy: PayPolicy, min_floors: Mapping[str, Decimal]) -> Decimal:
    return max(policy.hourly_floor, min_floors.get(policy.currency, Decimal(0)))


def _topup_line(
    times: Sequence[TimeEntry],
    counted: Decimal,
    policy_at: PolicyAt,
    min_floors: Mapping[str, Decimal],
) -> Line:
    """Exact arithmetic (fractions) so that rounding up to the cent can never fall short."""
    required = (
        sum(
            (Fraction(_floor_of(policy_at(t.started_at), min_floors)) * t.seconds for t in times),
            Fraction(0),
        )
        / 3600
    )
    topup_cents = max(0, math.ceil((required - Fraction(counted)) * 100))
    topup = (Decimal(topup_cents) / 100).quantize(CENT)
    seconds = sum(t.seconds for t in times)
    shown = (Decimal(required.numerator) / Decimal(required.denominator)).quantize(HOURS)
    ref = {"required": str(shown), "counted": str(counted), "seconds": seconds}
    return Line("topup", "Top-up to the hourly floor", hours(seconds), topup, ref)


def _due(
    entries: Iterable[Any], period: Period, paid_keys: Collection[str], now: datetime
) -> list[Any]:
    return [
        e
        for e in entries
        if e.key not in paid_keys and e.payable_at <= now and e.worked_at < period.end
    ]


def build_statement(
    period: Period,
    units: Iterable[UnitEntry],
    times: Iterable[TimeEntry],
    history: Sequence[PayPolicy],
    paid_keys: Collection[str],
    now: datetime,
    min_floors: Mapping[str, Decimal] = DEFAULT_MIN_FLOORS,
) -> Statement | None:
    """The statement of one annotator for ``period``, or None when nothing is owed."""
    if now < period.end:
        raise InvalidInput(f"the period {period.start.date().isoformat()} has not ended yet")
    due_units: list[UnitEntry] = _due(units, period, paid_keys, now)
    due_times: list[TimeEntry] = _due(times, period, paid_keys, now)
    if not due_units and not due_times:
        return None
    policy_at = _policy_lookup(history)
    currency = history[0].currency if history else policy_at(period.start).currency

    def own(e: UnitEntry | TimeEntry) -> bool:
        return e.worked_at >= period.start and not e.restored

    own_units = [u for u in due_units if own(u)]
    lines = _time_lines("time", [t for t in due_times if own(t)], "Paid time")
    lines += _piece_lines("piece", own_units, policy_at, currency, "Accepted judgments")
    lines += _bonus_lines(own_units, policy_at, currency)
    counted = sum((li.amount for li in lines), Decimal("0.00"))
    late_units = [u for u in due_units if not own(u) and not u.restored]
    late_times = [t for t in due_times if not own(t) and not t.restored]
    lines += _piece_lines("correction", late_units, policy_at, currency, "Earlier work accepted")
    lines += _time_lines("correction", late_times, "Earlier time")
    restored_units = [u for u in due_units if u.restored]
    lines += _piece_lines("restored", restored_units, policy_at, currency, "Appeal granted")
    lines += _time_lines("restored", [t for t in due_times if t.restored], "Appeal granted, time")
    if due_times:
        lines.append(_topup_line(due_times, counted, policy_at, min_floors))
    paid_seconds = sum(t.seconds for t in due_times)
    return Statement(period, currency, paid_seconds, tuple(lines))
