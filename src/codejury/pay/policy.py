"""Pay policy: piece rate, hourly floor, optional bonus, and the rules for changing them.

A project's policy is a history of versions, each in force from its ``effective_from``. The rate
that pays for a unit of work is the version in force when the work *started* (its assignment was
leased), so a cut never reaches work already under way. A cut also needs notice
(``rate_cut_notice_days``, 14 by default); a raise may apply at once. No version may be set in the
past, and a project keeps one currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, TypeVar

from codejury.errors import InvalidInput

CENT = Decimal("0.01")
DEFAULT_CURRENCY = "USD"
DEFAULT_FLOOR = Decimal("12")  # CodeJury's default project floor, per hour
DEFAULT_PIECE_RATE = Decimal("0")
DEFAULT_MIN_FLOORS: Mapping[str, Decimal] = {
    "USD": Decimal("8"),
    "EUR": Decimal("7.5"),
    "GBP": Decimal("6.5"),
}
BONUS_KINDS = ("gold_accuracy",)


def to_decimal(value: Any, what: str) -> Decimal:
    """A Decimal from a Decimal, int or string (never a float: floats are not money)."""
    if isinstance(value, float | bool):
        raise InvalidInput(f"{what}: give money as a string or Decimal, not {type(value).__name__}")
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"{what}: {value!r} is not a number")
    if not result.is_finite():
        raise InvalidInput(f"{what}: {value!r} is not a finite number")
    return result


@dataclass(frozen=True)
class BonusRule:
    """``gold_accuracy``: when the annotator's accuracy on gold items in a statement is at least
    ``threshold``, each accepted judgment in it earns ``amount_per_judgment`` more."""

    kind: str
    threshold: Decimal
    amount_per_judgment: Decimal

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BonusRule:
        kind = data.get("kind")
        if kind not in BONUS_KINDS:
            raise InvalidInput(f"bonus_rule.kind: {kind!r} is not one of {', '.join(BONUS_KINDS)}")
        threshold = to_decimal(str(data.get("threshold")), "bonus_rule.threshold")
        amount = to_decimal(str(data.get("amount_per_judgment")), "bonus_rule.amount_per_judgment")
        problems = []
        if not Decimal(0) <= threshold <= Decimal(1):
            problems.append(f"bonus_rule.threshold: {threshold} is not between 0 and 1")
        if amount < 0:
            problems.append(f"bonus_rule.amount_per_judgment: {amount} is negative")
        if problems:
            raise InvalidInput("invalid bonus rule", problems)
        return cls(kind=str(kind), threshold=threshold, amount_per_judgment=amount)

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "threshold": str(self.threshold),
            "amount_per_judgment": str(self.amount_per_judgment),
        }


@dataclass(frozen=True)
class PayPolicy:
    """One version of a project's pay policy (the plain twin of the ``PayRate`` table)."""

    piece_rate: Decimal
    hourly_floor: Decimal
    currency: str
    effective_from: datetime
    bonus_rule: BonusRule | None = None


class Dated(Protocol):
    @property
    def effective_from(self) -> datetime: ...


R = TypeVar("R", bound=Dated)


def default_policy(effective_from: datetime) -> PayPolicy:
    return PayPolicy(DEFAULT_PIECE_RATE, DEFAULT_FLOOR, DEFAULT_CURRENCY, effective_from)


def validate_policy(
    policy: PayPolicy, min_floors: Mapping[str, Decimal] = DEFAULT_MIN_FLOORS
) -> None:
    """Refuse a policy below its currency's operator minimum, or with impossible values."""
    problems = []
    if len(policy.currency) != 3 or not policy.currency.isalpha() or not policy.currency.isupper():
        problems.append(f"currency: {policy.currency!r} is not a three-letter ISO code like USD")
    if policy.piece_rate < 0:
        problems.append(f"piece_rate: {policy.piece_rate} is negative")
    for name in ("piece_rate", "hourly_floor"):
        value: Decimal = getattr(policy, name)
        if value != value.quantize(Decimal("0.0001")):
            problems.append(f"{name}: {value} has more than 4 decimal places")
    if policy.effective_from.tzinfo is None:
        problems.append("effective_from: must be timezone-aware (UTC)")
    if problems:
        raise InvalidInput("invalid pay policy", problems)
    minimum = min_floors.get(policy.currency)
    if minimum is None:
        known = ", ".join(sorted(min_floors)) or "none"
        raise InvalidInput(
            f"no minimum hourly floor is configured for {policy.currency} (configured: {known}); "
            "set CODEJURY_MIN_FLOORS first"
        )
    if policy.hourly_floor < minimum:
        raise InvalidInput(
            f"hourly floor {policy.hourly_floor} {policy.currency} is below the minimum of "
            f"{minimum} {policy.currency} per hour"
        )


def _bonus_value(rule: BonusRule | None) -> tuple[Decimal, Decimal]:
    """(amount, threshold) where a missing rule pays nothing and can never be reached."""
    if rule is None:
        return Decimal(0), Decimal(2)
    return rule.amount_per_judgment, rule.threshold


def is_cut(old: PayPolicy, new: PayPolicy) -> bool:
    """Whether ``new`` pays less than ``old`` in any way (piece, floor, bonus amount, threshold)."""
    old_amount, old_threshold = _bonus_value(old.bonus_rule)
    new_amount, new_threshold = _bonus_value(new.bonus_rule)
    bonus_cut = old_amount > 0 and (new_amount < old_amount or new_threshold > old_threshold)
    return new.piece_rate < old.piece_rate or new.hourly_floor < old.hourly_floor or bonus_cut


def ordered(history: Sequence[R]) -> list[R]:
    """Versions by ``effective_from``; among equal times the later entry of ``history`` wins."""
    return [v for _, v in sorted(enumerate(history), key=lambda p: (p[1].effective_from, p[0]))]


def rate_for(history: Sequence[R], at: datetime) -> R:
    """The version in force at ``at``; work before the first version is paid by the first one."""
    if not history:
        raise InvalidInput("no pay rate has been set for this project")
    versions = ordered(history)
    current = versions[0]
    for version in versions:
        if version.effective_from <= at:
            current = version
        else:
            break
    return current


def check_change(
    history: Sequence[PayPolicy],
    new: PayPolicy,
    now: datetime,
    notice_days: int = 14,
    min_floors: Mapping[str, Decimal] = DEFAULT_MIN_FLOORS,
) -> None:
    """Refuse a new version that is invalid, retroactive, changes currency or cuts without notice.

    Both sides of the new version are checked: the step from the version before it, and the step
    to the version scheduled after it (inserting a raise must not turn a scheduled change into a
    sudden cut).
    """
    validate_policy(new, min_floors)
    if new.effective_from < now:
        raise InvalidInput(f"effective_from {new.effective_from.isoformat()} is in the past")
    if history and any(v.currency != new.currency for v in history):
        raise InvalidInput(
            f"currency {new.currency}: this project pays in {history[0].currency}; "
            "a project's currency cannot change"
        )
    earliest = now + timedelta(days=notice_days)
    versions = ordered(history)
    before = [v for v in versions if v.effective_from <= new.effective_from]
    after = [v for v in versions if v.effective_from > new.effective_from]
    steps = []
    if before:
        steps.append((before[-1], new, new.effective_from))
    if after:
        steps.append((new, after[0], after[0].effective_from))
    for old, nxt, when in steps:
        if is_cut(old, nxt) and when < earliest:
            raise InvalidInput(
                f"a pay cut needs {notice_days} days' notice: it may apply from "
                f"{earliest.isoformat()} at the earliest, not {when.isoformat()}"
            )
