"""Demo forecasts: three kinds per quarter, from four quarters back to the next one, with their factors."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import (
    Clock,
    CrmData,
    Demo,
    Member,
    insert_rows,
    quarter_start,
    quarters,
    rng_for,
    sells,
    two_decimals,
)
from nexus360.forecasting.models import Forecast, ForecastFactor

DATABASE = Database.FORECASTING
TABLES = ("forecasts", "forecast_factors")
FACTORS = ("historical_win_rate", "pipeline_coverage", "seasonality", "rep_capacity")
# forecast type: confidence range, past forecast / actual won range, factor weights (in FACTORS order)
FORECAST_TYPES = {
    "pipeline_weighted": ((65, 80), (0.90, 1.05), ("0.40", "0.30", "0.15", "0.15")),
    "commit": ((80, 92), (0.80, 0.95), ("0.30", "0.20", "0.20", "0.30")),
    "best_case": ((45, 62), (1.10, 1.30), ("0.25", "0.40", "0.20", "0.15")),
}
# forecast type: lowest stage probability (%) of the open deals it counts in full (None: weighted)
FORECAST_FLOOR = {"pipeline_weighted": None, "commit": 80, "best_case": 40}


def seed(session: Session, demo: Demo) -> str:
    """Forecasts and their factors, from the crm's won and open deals."""
    assert demo.crm is not None, "the crm step runs first"
    demo.forecasts = _seed_forecasting(session, demo.clock, demo.members, demo.crm, demo.counts)
    return f"forecasting: {demo.counts['forecasts']} forecasts, {demo.counts['forecast_factors']} factors"


def _seed_forecasting(
    session: Session, clock: Clock, members: list[Member], crm: CrmData, counts: dict[str, int]
) -> list[dict]:
    rng = rng_for("forecasting")
    closed = [deal for deal in crm.deals if not crm.is_open(deal)]
    win_rate = 100 * sum(deal["stage_id"] in crm.won_stage_ids for deal in closed) / max(len(closed), 1)
    won_in: dict[date, float] = {}
    for deal in closed:
        if deal["stage_id"] in crm.won_stage_ids:
            quarter = quarter_start(deal["close_date"])
            won_in[quarter] = won_in.get(quarter, 0.0) + float(deal["amount"])
    target = sum(won_in.get(start, 0.0) for start, _end in quarters(clock, -4, -1)) / 4
    season_mean = sum(data.MONTH_SEASONALITY.values()) / 12
    rows, factor_values = [], []
    for start, end in quarters(clock, -4, 1):
        actual = won_in.get(start, 0.0)
        open_deals = [d for d in crm.deals if crm.is_open(d) and start <= d["close_date"] <= end]
        coverage = sum(float(d["amount"]) for d in open_deals) / max(target - actual, target / 4, 1.0)
        seasonality = sum(data.MONTH_SEASONALITY[start.month + i] for i in range(3)) / 3 / season_mean
        capacity = sum(1 for m in members if sells(m) and m.hired <= end and (m.left is None or m.left >= start))
        past = end < clock.anchor
        for kind, (confidence, accuracy, _weights) in FORECAST_TYPES.items():
            if past:
                value = actual * rng.uniform(*accuracy)
            else:
                floor = FORECAST_FLOOR[kind]
                value = actual + sum(
                    float(d["amount"]) * (float(crm.stages[d["stage_id"]][1]) / 100 if floor is None else 1.0)
                    for d in open_deals if floor is None or crm.stages[d["stage_id"]][1] >= floor
                )
            created = clock.stamp(min(start - timedelta(days=3), clock.day(-1)), rng)
            revised = clock.stamp(min(end, clock.day(-rng.randint(1, 6))), rng)
            rows.append({
                "period_start": start, "period_end": end, "forecast_type": kind, "forecast_value": two_decimals(value),
                "confidence_score": two_decimals(rng.uniform(*confidence)), "created_at": created,
                "updated_at": max(created, revised),
            })
            past_coverage = rng.uniform(2.4, 4.2)
            factor_values.append((win_rate + rng.uniform(-2, 2), past_coverage if past else coverage, seasonality,
                                  capacity))
    forecast_ids = insert_rows(session, Forecast, rows, counts)
    factors = []
    for forecast_id, row, values in zip(forecast_ids, rows, factor_values, strict=True):
        row["id"] = forecast_id
        weights = FORECAST_TYPES[row["forecast_type"]][2]
        factors += [
            {"forecast_id": forecast_id, "factor_name": name, "factor_value": two_decimals(value),
             "weight": Decimal(weight), "created_at": row["created_at"]}
            for name, value, weight in zip(FACTORS, values, weights, strict=True)
        ]
    insert_rows(session, ForecastFactor, factors, counts, ids=False)
    return rows
