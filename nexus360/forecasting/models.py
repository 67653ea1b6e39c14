"""Forecasting database: forecasts per period and the factors behind them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import ForecastingBase, bigint_id, created_at, updated_at


class Forecast(ForecastingBase):
    __tablename__ = "forecasts"
    __table_args__ = (
        Index("idx_forecasts_period", "period_start", "period_end"),
        Index("idx_forecasts_type", "forecast_type"),
    )

    id: Mapped[int] = bigint_id()
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    forecast_type: Mapped[str] = mapped_column(String(50), nullable=False)
    forecast_value: Mapped[Decimal] = mapped_column(Numeric(15, 2), nullable=False)
    confidence_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class ForecastFactor(ForecastingBase):
    __tablename__ = "forecast_factors"

    id: Mapped[int] = bigint_id()
    forecast_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("forecasts.id"), nullable=False)
    factor_name: Mapped[str] = mapped_column(String(100), nullable=False)
    factor_value: Mapped[Decimal] = mapped_column(Numeric(15, 2), nullable=False)
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)
    created_at: Mapped[datetime | None] = created_at()
