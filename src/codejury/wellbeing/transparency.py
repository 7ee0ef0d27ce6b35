"""The per-project transparency report, computed from plain facts (no database here).

| number | how |
| --- | --- |
| effective hourly p10 / p50 / p90 | per issued statement with paid time: total ÷ paid hours; percentiles by linear interpolation between the sorted values, rounded to the cent |
| share topped up | statements with a top-up line above zero ÷ statements |
| rejection rate | rejected ÷ human judgments on work items (skips and superseded versions left out) |
| appeal rate | appeals ÷ reviews that could be appealed (reject or rework) |
| reversal rate | granted ÷ decided appeals |
| median days to payment | paid statements: paid_at − end of the pay week, in days |
| median days to issue | issued statements: issued_at − end of the pay week, in days |
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class StatementFact:
    user_id: int
    currency: str
    total: Decimal
    paid_seconds: float
    topup: Decimal
    period_end: datetime
    issued_at: datetime
    paid_at: datetime | None


@dataclass(frozen=True)
class ReviewFacts:
    judgments: int  # human judgments on work items, not skips, not superseded
    rejected: int
    appealable: int  # reviews with decision reject or rework
    appeals: int
    decided: int
    granted: int


@dataclass(frozen=True)
class TransparencyReport:
    project: str
    currencies: list[str]
    statements: int
    annotators: int
    hourly_p10: Decimal | None
    hourly_p50: Decimal | None
    hourly_p90: Decimal | None
    topped_up: int
    share_topped_up: float | None
    judgments: int
    rejected: int
    rejection_rate: float | None
    appealable_reviews: int
    appeals: int
    appeal_rate: float | None
    decided_appeals: int
    granted_appeals: int
    reversal_rate: float | None
    paid_statements: int
    median_days_to_payment: float | None
    median_days_to_issue: float | None


def percentile(values: Sequence[Decimal], q: float) -> Decimal | None:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = Decimal(str(q)) * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (ordered[high] - ordered[low]) * (pos - low)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def hourly(fact: StatementFact) -> Decimal:
    return (fact.total * 3600 / Decimal(str(fact.paid_seconds))).quantize(CENT, ROUND_HALF_UP)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _days(deltas: list[float]) -> float | None:
    return round(statistics.median(deltas) / 86400, 2) if deltas else None


def build_report(
    project: str, statements: Sequence[StatementFact], reviews: ReviewFacts
) -> TransparencyReport:
    rates = [hourly(s) for s in statements if s.paid_seconds > 0]
    topped = sum(1 for s in statements if s.topup > 0)
    paid = [s for s in statements if s.paid_at is not None]
    to_pay = [(s.paid_at - s.period_end).total_seconds() for s in paid if s.paid_at]
    to_issue = [(s.issued_at - s.period_end).total_seconds() for s in statements]
    return TransparencyReport(
        project=project,
        currencies=sorted({s.currency for s in statements}),
        statements=len(statements),
        annotators=len({s.user_id for s in statements}),
        hourly_p10=percentile(rates, 0.1),
        hourly_p50=percentile(rates, 0.5),
        hourly_p90=percentile(rates, 0.9),
        topped_up=topped,
        share_topped_up=rate(topped, len(statements)),
        judgments=reviews.judgments,
        rejected=reviews.rejected,
        rejection_rate=rate(reviews.rejected, reviews.judgments),
        appealable_reviews=reviews.appealable,
        appeals=reviews.appeals,
        appeal_rate=rate(reviews.appeals, reviews.appealable),
        decided_appeals=reviews.decided,
        granted_appeals=reviews.granted,
        reversal_rate=rate(reviews.granted, reviews.decided),
        paid_statements=len(paid),
        median_days_to_payment=_days(to_pay),
        median_days_to_issue=_days(to_issue),
    )


def histogram(values: Sequence[Decimal], bins: int = 8) -> list[tuple[Decimal, Decimal, int]]:
    """Equal-width bins ``(low, high, count)`` over the values' range (one bin when all equal)."""
    if not values:
        return []
    low, high = min(values), max(values)
    if low == high:
        return [(low, high, len(values))]
    width = (high - low) / bins
    counts = [0] * bins
    for v in values:
        counts[min(int((v - low) / width), bins - 1)] += 1
    edges = [(low + width * i).quantize(CENT) for i in range(bins + 1)]
    return [(edges[i], edges[i + 1], counts[i]) for i in range(bins)]
