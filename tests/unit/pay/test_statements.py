from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from codejury.errors import InvalidInput
from codejury.pay.ledger import JudgmentRecord, TimeEntry, UnitEntry, time_entries, unit_entries
from codejury.pay.policy import BonusRule, PayPolicy
from codejury.pay.statements import Period, build_statement, statement_hash
from codejury.pay.time import Event, paid_time

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
WEEK = Period.starting(MONDAY)
AFTER = WEEK.end + timedelta(hours=1)
USD = [PayPolicy(Decimal("0.50"), Decimal("12"), "USD", MONDAY - timedelta(days=60))]


def hours_of_work(key: str, seconds: int, day: int = 1) -> TimeEntry:
    start = MONDAY + timedelta(days=day)
    end = start + timedelta(seconds=seconds)
    return TimeEntry(key, "assignment", start, end, end, seconds)


def accepted(n: int, day: int = 1, first: int = 1) -> list[UnitEntry]:
    at = MONDAY + timedelta(days=day)
    return [UnitEntry(f"judgment:{i}", i, at, at, at) for i in range(first, first + n)]


def test_period_is_a_utc_week_from_monday() -> None:
    assert Period.week_of(datetime(2026, 11, 29, 23, 59, tzinfo=UTC)) == WEEK
    assert WEEK.end == datetime(2026, 11, 30, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="2026-11-23"):
        Period.starting(datetime(2026, 11, 25, tzinfo=UTC))


def test_topup_lifts_pay_to_the_floor() -> None:
    s = build_statement(
        WEEK, accepted(10), [hours_of_work("assignment:1", 7200)], USD, set(), AFTER
    )
    assert s is not None
    assert s.amount("piece") == Decimal("5.00")
    assert s.amount("topup") == Decimal("19.00")
    assert s.total == Decimal("24.00")
    assert s.paid_seconds == 7200


def test_no_topup_when_piece_pay_beats_the_floor() -> None:
    s = build_statement(
        WEEK, accepted(60), [hours_of_work("assignment:1", 3600)], USD, set(), AFTER
    )
    assert s is not None
    assert (s.amount("piece"), s.amount("topup"), s.total) == (
        Decimal("30.00"),
        0,
        Decimal("30.00"),
    )


def test_topup_is_rounded_up_to_the_cent() -> None:
    s = build_statement(WEEK, [], [hours_of_work("event:1", 1)], USD, set(), AFTER)
    assert s is not None
    assert s.total == Decimal("0.01")  # 12/3600 = 0.0033 rounds up, never down
    assert s.total * 3600 >= Decimal(12) * s.paid_seconds


def test_operator_minimum_applies_even_if_an_old_policy_was_lower() -> None:
    old = [PayPolicy(Decimal("0"), Decimal("6"), "USD", MONDAY - timedelta(days=90))]
    s = build_statement(WEEK, [], [hours_of_work("event:1", 3600)], old, set(), AFTER)
    assert s is not None and s.total == Decimal("8.00")


def test_the_rate_is_the_one_in_force_when_the_work_was_leased() -> None:
    cut_at = MONDAY + timedelta(days=3)
    history = [*USD, PayPolicy(Decimal("0.30"), Decimal("12"), "USD", cut_at)]
    units = accepted(2, day=2) + accepted(1, day=4, first=10)
    s = build_statement(WEEK, units, [], history, set(), AFTER)
    assert s is not None
    pieces = {line.ref["rate"]: line.amount for line in s.lines if line.kind == "piece"}
    assert pieces == {"0.50": Decimal("1.00"), "0.30": Decimal("0.30")}


def test_gold_accuracy_bonus_is_paid_when_the_threshold_is_reached() -> None:
    rule = BonusRule("gold_accuracy", Decimal("0.9"), Decimal("0.05"))
    history = [PayPolicy(Decimal("0.50"), Decimal("12"), "USD", MONDAY, rule)]
    at = MONDAY + timedelta(days=1)
    good = [UnitEntry(f"judgment:{i}", i, at, at, at, gold_correct=True) for i in range(9)]
    plain = [UnitEntry(f"judgment:{i}", i, at, at, at) for i in range(9, 20)]
    s = build_statement(WEEK, good + plain, [], history, set(), AFTER)
    assert s is not None and s.amount("bonus") == Decimal("1.00")
    bad = [UnitEntry("judgment:99", 99, at, at, at, gold_correct=False)]
    s = build_statement(WEEK, good + bad, [], history, set(), AFTER)
    assert s is not None and s.amount("bonus") == Decimal("0.50")  # 9 of 10 = 0.9 reaches it
    worse = [UnitEntry(f"judgment:{i}", i, at, at, at, gold_correct=False) for i in (98, 99)]
    s = build_statement(WEEK, good + worse, [], history, set(), AFTER)
    assert s is not None and s.amount("bonus") == 0


def test_statement_cannot_be_issued_before_its_period_ends() -> None:
    with pytest.raises(InvalidInput, match="not ended"):
        build_statement(WEEK, accepted(1), [], USD, set(), WEEK.end - timedelta(seconds=1))


def test_nothing_owed_gives_no_statement() -> None:
    assert build_statement(WEEK, [], [], USD, set(), AFTER) is None


def record(status: str, **kw: object) -> JudgmentRecord:
    at = MONDAY + timedelta(days=1)
    fields: dict[str, object] = {
        "id": 1, "key": "judgment:1", "leased_at": at, "submitted_at": at + timedelta(minutes=30),
        "status": status, "status_at": at + timedelta(days=1), "assignment_id": 1,
    }  # fmt: skip
    fields.update(kw)
    return JudgmentRecord(**fields)  # type: ignore[arg-type]


EVENTS = [
    Event("lease", MONDAY + timedelta(days=1), assignment_id=1),
    Event("submit", MONDAY + timedelta(days=1, minutes=30), active_seconds=1700, assignment_id=1),
]


def test_rejected_work_is_still_paid_for_its_time() -> None:
    records = [record("rejected")]
    units, times = unit_entries(records), time_entries(paid_time(EVENTS), records)
    s = build_statement(WEEK, units, times, USD, set(), AFTER)
    assert s is not None
    assert s.amount("piece") == 0 and s.paid_seconds == 1760
    assert s.total == Decimal("5.87")  # 12 × 1760 / 3600 = 5.8667, rounded up


def test_fraud_rejection_withholds_time_until_an_appeal_restores_it() -> None:
    fraud = [record("rejected", fraud=True)]
    units, times = unit_entries(fraud), time_entries(paid_time(EVENTS), fraud)
    assert units == [] and times == []
    assert build_statement(WEEK, units, times, USD, set(), AFTER) is None

    granted = WEEK.end + timedelta(days=3)
    appealed = [record("rejected", fraud=True, appeal_id=5, appeal_granted_at=granted)]
    units, times = unit_entries(appealed), time_entries(paid_time(EVENTS), appealed)
    nxt = Period.starting(WEEK.end)
    s = build_statement(nxt, units, times, USD, set(), nxt.end)
    assert s is not None
    assert {line.kind for line in s.lines} == {"restored", "topup"}
    assert s.amount("restored") == Decimal("0.50")
    assert s.amount("topup") == Decimal("5.87")  # restored pay never reduces the top-up


def test_acceptance_after_a_statement_becomes_a_correction_next_time() -> None:
    late = MONDAY + timedelta(days=15)
    records = [record("accepted", status_at=late)]
    units, times = unit_entries(records), time_entries(paid_time(EVENTS), records)
    first = build_statement(WEEK, units, times, USD, set(), AFTER)
    assert first is not None and first.amount("piece") == 0
    nxt = Period.starting(WEEK.end)
    assert build_statement(nxt, units, times, USD, first.entry_keys(), nxt.end) is None
    third = Period.starting(nxt.end)
    s = build_statement(third, units, times, USD, first.entry_keys(), third.end)
    assert s is not None
    assert [(li.kind, li.amount) for li in s.lines] == [("correction", Decimal("0.50"))]


def test_statement_hash_changes_with_any_line() -> None:
    a = build_statement(WEEK, accepted(2), [], USD, set(), AFTER)
    b = build_statement(WEEK, accepted(3), [], USD, set(), AFTER)
    assert a is not None and b is not None
    assert statement_hash(a, user=1) == statement_hash(a, user=1)
    assert statement_hash(a, user=1) != statement_hash(b, user=1)
    assert statement_hash(a, user=1) != statement_hash(a, user=2)
