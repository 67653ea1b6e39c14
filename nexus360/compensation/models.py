"""Compensation database: commission rules, each rep's statement per period (sales_performance), its lines,
its history of status changes and the disputes on its lines.

commission_lines, commission_events and commission_disputes sit under row-level security: a rep reads only
the rows of their own statements; managers write events; a rep inserts disputes on their own lines only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import UTC_NOW, CompensationBase, bigint_id, created_at, updated_at


class CommissionRule(CompensationBase):
    __tablename__ = "commission_rules"

    id: Mapped[int] = bigint_id()
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    criteria: Mapped[dict] = mapped_column(JSONB, nullable=False)
    rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class SalesPerformance(CompensationBase):
    """One rep's statement for one period."""

    __tablename__ = "sales_performance"
    __table_args__ = (
        Index("idx_performance_user", "user_id"),
        Index("idx_performance_period", "period_start", "period_end"),
    )

    id: Mapped[int] = bigint_id()
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # -> auth.users.id
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    revenue: Mapped[Decimal] = mapped_column(Numeric(15, 2), nullable=False)
    commission: Mapped[Decimal] = mapped_column(Numeric(15, 2), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()
    quota: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))  # the rep's quota for the period (compensation_0003)


class CommissionLine(CompensationBase):
    """One line behind a statement: deal x rule x rate x amount, or a tier, a bonus, an adjustment."""

    __tablename__ = "commission_lines"
    __table_args__ = (Index("ix_commission_lines_performance_id", "performance_id"),)

    id: Mapped[int] = bigint_id()
    performance_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("sales_performance.id", ondelete="CASCADE"), nullable=False
    )
    deal_id: Mapped[int | None] = mapped_column(BigInteger)  # -> crm.deals.id (another database)
    rule_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("commission_rules.id"))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    basis: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(15, 2), nullable=False)
    explanation: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)


class CommissionEvent(CompensationBase):
    """One entry of a statement's history: a status change (or adjustment) with who, when and a comment."""

    __tablename__ = "commission_events"
    __table_args__ = (Index("ix_commission_events_performance_id", "performance_id"),)

    id: Mapped[int] = bigint_id()
    performance_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("sales_performance.id", ondelete="CASCADE"), nullable=False
    )
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)


class CommissionDispute(CompensationBase):
    """A rep's objection to a line of their statement, and the manager's answer."""

    __tablename__ = "commission_disputes"
    __table_args__ = (
        Index("ix_commission_disputes_performance_id", "performance_id"),
        Index("ix_commission_disputes_status", "status"),
    )

    id: Mapped[int] = bigint_id()
    performance_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("sales_performance.id", ondelete="CASCADE"), nullable=False
    )
    line_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("commission_lines.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # -> auth.users.id (the rep)
    comment: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="open")
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
