from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from codejury.errors import InvalidInput
from codejury.pay.policy import (
    BonusRule,
    PayPolicy,
    check_change,
    is_cut,
    rate_for,
    to_decimal,
    validate_policy,
)

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def policy(piece: str, floor: str, at: datetime, currency: str = "USD") -> PayPolicy:
    return PayPolicy(Decimal(piece), Decimal(floor), currency, at)


def test_policy_below_the_currency_minimum_is_refused_naming_currency_and_minimum() -> None:
    with pytest.raises(InvalidInput) as err:
        validate_policy(policy("0.50", "7.99", NOW))
    assert "USD" in str(err.value) and "8" in str(err.value)
    with pytest.raises(InvalidInput, match="EUR"):
        validate_policy(policy("0.50", "7", NOW, "EUR"), {"EUR": Decimal("7.5")})
    validate_policy(policy("0.50", "8", NOW))


def test_unknown_currency_and_bad_values_are_refused() -> None:
    with pytest.raises(InvalidInput, match="no minimum hourly floor"):
        validate_policy(policy("0.50", "20", NOW, "JPY"))
    with pytest.raises(InvalidInput) as err:
        validate_policy(policy("-1", "20", NOW, "usd"))
    assert len(err.value.problems) == 2


def test_money_is_never_read_from_a_float() -> None:
    with pytest.raises(InvalidInput, match="not float"):
        to_decimal(0.5, "piece_rate")
    assert to_decimal("0.50", "piece_rate") == Decimal("0.50")


def test_bonus_rule_round_trips_and_is_checked() -> None:
    rule = BonusRule.from_dict(
        {"kind": "gold_accuracy", "threshold": 0.9, "amount_per_judgment": "0.05"}
    )
    assert rule.threshold == Decimal("0.9")
    assert BonusRule.from_dict(rule.to_dict()) == rule
    with pytest.raises(InvalidInput, match="threshold"):
        BonusRule.from_dict({"kind": "gold_accuracy", "threshold": 2, "amount_per_judgment": "1"})
    with pytest.raises(InvalidInput, match="kind"):
        BonusRule.from_dict({"kind": "speed", "threshold": 0.5, "amount_per_judgment": "1"})


def test_rate_for_picks_the_version_in_force() -> None:
    first = policy("0.50", "12", NOW)
    raise_ = policy("0.60", "12", NOW + timedelta(days=3))
    history = [raise_, first]
    assert rate_for(history, NOW - timedelta(days=1)) is first  # before any: the first version
    assert rate_for(history, NOW + timedelta(days=2)) is first
    assert rate_for(history, NOW + timedelta(days=3)) is raise_
    same_time = policy("0.70", "12", NOW + timedelta(days=3))
    assert rate_for([*history, same_time], NOW + timedelta(days=4)) is same_time


def test_is_cut_covers_piece_floor_and_bonus() -> None:
    base = policy("0.50", "12", NOW)
    assert is_cut(base, policy("0.40", "12", NOW))
    assert is_cut(base, policy("0.50", "11", NOW))
    assert not is_cut(base, policy("0.60", "13", NOW))
    rule = BonusRule("gold_accuracy", Decimal("0.9"), Decimal("0.05"))
    with_bonus = PayPolicy(Decimal("0.50"), Decimal(12), "USD", NOW, rule)
    assert is_cut(with_bonus, base)
    assert not is_cut(base, with_bonus)


def test_rate_cut_inside_the_notice_window_is_refused() -> None:
    history = [policy("0.50", "12", NOW - timedelta(days=30))]
    with pytest.raises(InvalidInput, match="14 days' notice"):
        check_change(history, policy("0.40", "12", NOW + timedelta(days=13, hours=23)), NOW)
    check_change(history, policy("0.40", "12", NOW + timedelta(days=14)), NOW)


def test_raise_applies_at_once_but_nothing_is_retroactive() -> None:
    history = [policy("0.50", "12", NOW - timedelta(days=30))]
    check_change(history, policy("0.60", "12", NOW), NOW)
    with pytest.raises(InvalidInput, match="in the past"):
        check_change(history, policy("0.60", "12", NOW - timedelta(seconds=1)), NOW)


def test_inserting_a_raise_before_a_scheduled_version_cannot_make_a_sudden_cut() -> None:
    history = [
        policy("0.50", "12", NOW - timedelta(days=30)),
        policy("0.55", "12", NOW + timedelta(days=5)),
    ]
    with pytest.raises(InvalidInput, match="notice"):
        check_change(history, policy("0.70", "12", NOW), NOW)
    check_change(history, policy("0.55", "12", NOW), NOW)


def test_currency_cannot_change() -> None:
    history = [policy("0.50", "12", NOW - timedelta(days=30))]
    with pytest.raises(InvalidInput, match="currency"):
        check_change(history, policy("0.50", "12", NOW, "EUR"), NOW)


def test_more_than_four_decimal_places_is_refused() -> None:
    with pytest.raises(InvalidInput, match="4 decimal places"):
        validate_policy(policy("0.12345", "12", NOW))
