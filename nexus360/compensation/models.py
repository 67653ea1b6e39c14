"""Compensation database: commission rules and per-rep performance per period."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, Index, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import CompensationBase, bigint_id, created_at, updated_at


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


# The database's other tables live beside their services; importing them here puts every table of the
# compensation database on its metadata whichever module is imported first.
from nexus360.compensation import history, lines  # noqa: E402, F401
