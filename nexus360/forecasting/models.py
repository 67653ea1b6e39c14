"""Forecasting database: forecasts per period and scope with the factors behind them, and the snapshots
(with their deals) that every generation, call and adjustment takes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import UTC_NOW, ForecastingBase, bigint_id, created_at, updated_at


class ForecastSnapshot(ForecastingBase):
    """One generation, call or adjustment of a period for a scope (forecasting_0002)."""

    __tablename__ = "forecast_snapshots"
    __table_args__ = (
        Index("ix_forecast_snapshots_scope", "period_start", "period_end", "scope", "owner_id", "taken_at"),
    )

    id: Mapped[int] = bigint_id()
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    scope: Mapped[str] = mapped_column(String(10), nullable=False)  # company | team | rep
    owner_id: Mapped[int | None] = mapped_column(BigInteger)  # the team's manager or the rep (auth.users.id)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # generated | call | adjustment
    taken_by: Mapped[int | None] = mapped_column(BigInteger)
    taken_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)
    deal_count: Mapped[int | None] = mapped_column(Integer)  # NULL: history without its deals
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class Forecast(ForecastingBase):
    __tablename__ = "forecasts"
    __table_args__ = (
        Index("idx_forecasts_period", "period_start", "period_end"),
        Index("idx_forecasts_type", "forecast_type"),
        Index("ix_forecasts_scope_period", "scope", "owner_id", "period_start", "period_end", "forecast_type",
              "created_at"),
    )

    id: Mapped[int] = bigint_id()
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    forecast_type: Mapped[str] = mapped_column(String(50), nullable=False)
    forecast_value: Mapped[Decimal] = mapped_column(Numeric(15, 2), nullable=False)
    confidence_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()
    # forecasting_0002
    scope: Mapped[str] = mapped_column(String(10), nullable=False, server_default=text("'company'"))
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    snapshot_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("forecast_snapshots.id"))
    submitted_by: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[str | None] = mapped_column(Text)
    low_value: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    high_value: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    adjusts_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("forecasts.id"))
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime)


class ForecastFactor(ForecastingBase):
    __tablename__ = "forecast_factors"

    id: Mapped[int] = bigint_id()
    forecast_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("forecasts.id"), nullable=False)
    factor_name: Mapped[str] = mapped_column(String(100), nullable=False)
    factor_value: Mapped[Decimal] = mapped_column(Numeric(15, 2), nullable=False)
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)
    created_at: Mapped[datetime | None] = created_at()
    contributes: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))


class SnapshotDeal(ForecastingBase):
    """A deal of a snapshot's period as it stood when the snapshot was taken (forecasting_0003)."""

    __tablename__ = "forecast_snapshot_deals"

    snapshot_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("forecast_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    deal_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    owner_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(15, 2), nullable=False)
    close_date: Mapped[date] = mapped_column(Date, nullable=False)
    stage_id: Mapped[int] = mapped_column(Integer, nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    is_won: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_on: Mapped[date | None] = mapped_column(Date)
