"""Pay policy history and immutable statements. Money is Decimal, periods are UTC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from codejury.db.base import Base, utcnow


class PayRate(Base):
    """One version of a project's pay policy, in force from ``effective_from``."""

    __tablename__ = "pay_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    piece_rate: Mapped[Decimal]
    hourly_floor: Mapped[Decimal]
    bonus_rule: Mapped[dict[str, Any] | None]
    effective_from: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PayStatement(Base):
    """Issued statements never change; corrections are lines of a later statement."""

    __tablename__ = "pay_statements"
    __table_args__ = (UniqueConstraint("user_id", "project_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    currency: Mapped[str] = mapped_column(String(3))
    paid_seconds: Mapped[float]
    total: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(20), default="issued")  # issued | paid
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    content_hash: Mapped[str] = mapped_column(String(64))


class PayLine(Base):
    __tablename__ = "pay_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("pay_statements.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(
        String(20)
    )  # piece | time | topup | bonus | correction | restored
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal]
    amount: Mapped[Decimal]
    ref: Mapped[dict[str, Any]] = mapped_column(default=dict)
