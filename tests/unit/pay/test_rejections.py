from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from codejury.errors import InvalidInput
from codejury.pay.rejections import due_for_auto_approval, is_fraud_rejection, validate_rejection


def test_ordinary_rejection_keeps_time_paid() -> None:
    assert validate_rejection("guidelines_not_followed", None) is False


def test_rejection_needs_a_reason_code() -> None:
    with pytest.raises(InvalidInput, match="reason code"):
        validate_rejection("  ", None)


@pytest.mark.parametrize("code", ["fraud_failed_gold", "fraud_too_fast", "spam_duplicate"])
def test_fraud_rejection_without_evidence_is_refused(code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        validate_rejection(code, {})
    assert err.value.problems and all(p.startswith("evidence.") for p in err.value.problems)
    assert not is_fraud_rejection(code, None)


def test_fraud_rejection_with_evidence_withholds_time() -> None:
    assert validate_rejection("fraud_failed_gold", {"gold_judgment_ids": [4, 9]})
    assert validate_rejection("spam_duplicate", {"duplicate_of": [12]})
    assert validate_rejection("fraud_too_fast", {"active_seconds": 3, "min_seconds": 30})
    assert is_fraud_rejection("fraud_too_fast", {"active_seconds": 3, "min_seconds": 30})


def test_too_fast_evidence_must_show_it_was_too_fast() -> None:
    with pytest.raises(InvalidInput) as err:
        validate_rejection("fraud_too_fast", {"active_seconds": 45, "min_seconds": 30})
    assert "not below" in str(err.value)
    with pytest.raises(InvalidInput, match="invalid"):
        validate_rejection("fraud_failed_gold", {"gold_judgment_ids": []})


@dataclass
class J:
    id: int
    status: str
    created_at: datetime


def test_unreviewed_judgment_is_approved_on_day_21_and_not_day_20() -> None:
    submitted = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
    pending = [J(1, "pending", submitted), J(2, "rejected", submitted), J(3, "accepted", submitted)]
    day_20 = submitted + timedelta(days=20, hours=23, minutes=59)
    day_21 = submitted + timedelta(days=21)
    assert due_for_auto_approval(pending, day_20) == []
    assert due_for_auto_approval(pending, day_21) == [1]
    assert due_for_auto_approval(pending, day_21, days=30) == []
