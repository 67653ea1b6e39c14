"""Pydantic shapes of the CRM domain."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel


class PipelineSummary(BaseModel):
    """Headline figures for the Home page, all computed in SQL."""

    open_pipeline: Decimal
    open_deals: int
    won_this_quarter: Decimal
    won_last_quarter: Decimal
    win_rate: float | None  # won / (won + lost) over the last twelve months; None without closed deals
    quarter_label: str
