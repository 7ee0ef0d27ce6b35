"""Acceptance: for any mix of work, reviews, appeals, rate changes and policies, every statement
meets the floor, adds up, pays each entry once, and issuing again changes nothing."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codejury.pay.ledger import JudgmentRecord, TimeEntry, time_entries, unit_entries
from codejury.pay.policy import CENT, BonusRule, PayPolicy, rate_for
from codejury.pay.statements import Period, Statement, build_statement
from codejury.pay.time import Event, paid_time

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
WEEKS = 5
MIN_FLOORS = {"USD": Decimal("8")}


def offset(max_days: int) -> st.SearchStrategy[timedelta]:
    return st.integers(0, max_days * 86400).map(lambda s: timedelta(seconds=s))


money = st.decimals(min_value=0, max_value=3, places=4)
floors = st.decimals(min_value=8, max_value=40, places=2)
bonus = st.none() | st.builds(
    BonusRule,
    kind=st.just("gold_accuracy"),
    threshold=st.decimals(min_value=0, max_value=1, places=2),
    amount_per_judgment=st.decimals(min_value=0, max_value=1, places=3),
)
policies = st.lists(
    st.builds(
        lambda p, f, at, b: PayPolicy(p, f, "USD", START + at, b),
        money,
        floors,
        offset(7 * WEEKS),
        bonus,
    ),
    min_size=0,
    max_size=3,
)


@dataclass(frozen=True)
class Work:
    lease: timedelta
    seconds: int
    active: int | None
    end: str
    status: str
    review_delay: timedelta
    fraud: bool
    appeal_delay: timedelta | None
    gold: bool | None


works = st.lists(
    st.builds(
        Work,
        lease=offset(7 * WEEKS),
        seconds=st.integers(0, 4 * 3600),
        active=st.none() | st.integers(0, 4 * 3600),
        end=st.sampled_from(["submit", "submit", "skip", "late_submit", "expired"]),
        status=st.sampled_from(["pending", "accepted", "rejected"]),
        review_delay=offset(25),
        fraud=st.booleans(),
        appeal_delay=st.none() | offset(10),
        gold=st.none() | st.booleans(),
    ),
    max_size=25,
)
extras = st.lists(
    st.tuples(
        st.sampled_from(["guidelines", "practice", "qualification", "rework"]),
        offset(7 * WEEKS),
        st.integers(0, 3 * 3600),
        st.none() | st.integers(0, 3 * 3600),
    ),
    max_size=8,
)


def to_inputs(items: list[Work], more: list[tuple]) -> tuple[list, list[TimeEntry]]:
    events, records = [], []
    for i, w in enumerate(items, start=1):
        leased, ended = START + w.lease, START + w.lease + timedelta(seconds=w.seconds)
        if w.end == "expired":
            events.append(Event("lease", leased, ended, w.active, assignment_id=i))
            continue
        events.append(Event("lease", leased, assignment_id=i))
        events.append(Event(w.end, ended, active_seconds=w.active, assignment_id=i))
        decided = ended + w.review_delay
        rejected = w.status == "rejected"
        records.append(
            JudgmentRecord(
                id=i,
                key=f"judgment:{i}",
                leased_at=leased,
                submitted_at=ended,
                status=w.status,
                status_at=None if w.status == "pending" else decided,
                assignment_id=i,
                counts=w.end == "submit",
                fraud=rejected and w.fraud,
                appeal_id=i if rejected and w.appeal_delay else None,
                appeal_granted_at=decided + w.appeal_delay if rejected and w.appeal_delay else None,
                gold_correct=w.gold,
            )
        )
    for j, (kind, at, window, active) in enumerate(more, start=1):
        start = START + at
        events.append(Event(kind, start, start + timedelta(seconds=window), active, id=j))
    return unit_entries(records), time_entries(paid_time(events), records)


def required_pay(statement: Statement, times: dict[str, TimeEntry], history: list) -> Fraction:
    owed = Fraction(0)
    for key in statement.entry_keys():
        if key in times:
            t = times[key]
            floor = rate_for(history, t.started_at).hourly_floor if history else Decimal(12)
            owed += Fraction(max(floor, Decimal(8))) * t.seconds / 3600
    return owed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    works,
    extras,
    policies,
    st.permutations(range(WEEKS + 2)),
    st.lists(offset(6), min_size=WEEKS + 2, max_size=WEEKS + 2),
)
def test_every_statement_meets_the_floor_adds_up_and_is_idempotent(
    items: list[Work], more: list[tuple], history: list, order: list[int], delays: list[timedelta]
) -> None:
    units, times = to_inputs(items, more)
    by_key = {t.key: t for t in times}
    paid: set[str] = set()
    for week in order:
        period = Period.starting(START + timedelta(weeks=week))
        now = period.end + delays[week]
        statement = build_statement(period, units, times, history, paid, now, MIN_FLOORS)
        if statement is None:
            continue
        amounts = [line.amount for line in statement.lines]
        assert statement.total == sum(amounts, Decimal(0))
        assert all(a >= 0 and a == a.quantize(CENT) for a in amounts)
        assert statement.total * 3600 >= Decimal(8) * statement.paid_seconds
        assert Fraction(statement.total) >= required_pay(statement, by_key, history)
        assert statement.paid_seconds == sum(
            by_key[k].seconds for k in statement.entry_keys() & by_key.keys()
        )
        assert not statement.entry_keys() & paid, "an entry was paid twice"
        again = build_statement(period, units, times, history, paid, now, MIN_FLOORS)
        assert again == statement  # same inputs, same statement
        paid |= statement.entry_keys()
        assert build_statement(period, units, times, history, paid, now, MIN_FLOORS) is None


@settings(max_examples=150, deadline=None)
@given(works, extras, policies)
def test_everything_owed_is_paid_exactly_once_in_the_end(
    items: list[Work], more: list[tuple], history: list
) -> None:
    units, times = to_inputs(items, more)
    late = START + timedelta(weeks=WEEKS + 10)
    paid: list[str] = []
    for week in range(WEEKS + 8):
        period = Period.starting(START + timedelta(weeks=week))
        statement = build_statement(period, units, times, history, set(paid), late, MIN_FLOORS)
        if statement is not None:
            paid += sorted(statement.entry_keys())
    assert sorted(paid) == sorted({e.key for e in [*units, *times]})
