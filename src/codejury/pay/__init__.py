"""Fair pay: paid time, pay policy, the hourly floor and statements.

The calculations (``time``, ``policy``, ``rejections``, ``ledger``, ``statements``) take plain data
and need no database; ``store`` is the glue over the tables. The rules in plain words:
``docs/pay.md``.
"""

from codejury.pay.policy import (
    BonusRule,
    PayPolicy,
    check_change,
    is_cut,
    rate_for,
    validate_policy,
)
from codejury.pay.rejections import (
    FRAUD_CODES,
    due_for_auto_approval,
    is_fraud_rejection,
    validate_rejection,
)
from codejury.pay.statements import Line, Period, Statement, build_statement
from codejury.pay.time import Event, PaidTime, TimeRule, paid_time

__all__ = [
    "FRAUD_CODES",
    "BonusRule",
    "Event",
    "Line",
    "PaidTime",
    "PayPolicy",
    "Period",
    "Statement",
    "TimeRule",
    "build_statement",
    "check_change",
    "due_for_auto_approval",
    "is_cut",
    "is_fraud_rejection",
    "paid_time",
    "rate_for",
    "validate_policy",
    "validate_rejection",
]
