"""The statistical baseline on series built with known seasonality: ETS when it beats seasonal naive, naive when
it does not or when history is short, and parts that add up to the value."""

from __future__ import annotations

import math
import random

from nexus360.forecasting.baseline.engine import forecast_baseline, naive_value

SEASON = [0.6, 0.75, 1.3, 0.7, 0.85, 1.35, 0.65, 0.6, 1.3, 0.9, 1.15, 1.9]


def seasonal(months: int, *, growth: float = 0.01, noise: float = 5_000, seed: int = 3) -> tuple[float, ...]:
    rng = random.Random(seed)
    return tuple(100_000 * SEASON[i % 12] * (1 + growth * i) + rng.gauss(0, noise) for i in range(months))


def test_ets_beats_seasonal_naive_on_a_growing_seasonal_series_and_its_parts_add_up():
    series = seasonal(36)

    found = forecast_baseline(series, skip=0, months=3)

    assert found.model == "ets" and found.mase < 1 and found.origins == 8
    assert math.isclose(sum(value for _name, value in found.parts), found.value, rel_tol=1e-9)
    assert found.low < found.value < found.high
    expected = sum(100_000 * SEASON[i % 12] * (1 + 0.01 * i) for i in range(36, 39))
    assert abs(found.value - expected) / expected < 0.1
    seasonality = dict(found.parts)["Seasonality"]
    assert seasonality < 0  # January to March sell below the year's average (0.88 of it)


def test_seasonal_naive_is_the_same_months_a_year_earlier():
    series = tuple(float(i) for i in range(1, 25))

    assert naive_value(series, skip=0, months=3) == 13 + 14 + 15
    assert naive_value(series, skip=2, months=1) == 15


def test_short_history_gives_seasonal_naive_and_says_why():
    found = forecast_baseline(seasonal(20), skip=0, months=3)

    assert found.model == "seasonal_naive" and found.mase is None
    assert "Only 20 months" in found.reason


def test_noise_that_ets_cannot_beat_falls_back_to_naive_with_its_mase():
    rng = random.Random(9)
    series = tuple(abs(rng.gauss(50_000, 30_000)) for _ in range(36))

    found = forecast_baseline(series, skip=0, months=1)

    if found.model == "seasonal_naive":
        assert found.mase >= 1 and "did not beat seasonal naive" in found.reason
    else:
        assert found.mase < 1


def test_a_year_of_history_or_less_repeats_the_last_month():
    found = forecast_baseline((10.0, 20.0, 30.0), skip=1, months=2)

    assert found.model == "naive" and found.value == 60.0
