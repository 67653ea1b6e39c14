"""`bench pages --markdown`: README's table, one row per figure, the open figure measured against the floor."""

from __future__ import annotations

from nexus360.bench.pages import as_markdown


def test_the_table_has_a_row_per_figure_and_opens_against_the_floor() -> None:
    timing = {"median_ms": 20.0, "p95_ms": 30.0, "statements": 3}
    report = {"runs": 5, "unit": "ms", "rep": {
        "floor": {"median_ms": 10.0, "p95_ms": 12.0, "statements": 2},
        "crm": {"open": {"median_ms": 110.4, "p95_ms": 140.0, "statements": 4}, "tabs": {"Deals": timing},
                "interactions": {"deals: next page": timing}},
    }}
    rows = as_markdown(report).splitlines()
    assert rows[2:] == [
        "| rep | (empty page) | floor | 10 | 12 | – | 2 |",
        "| rep | crm | open | 110 | 140 | +128 | 4 |",
        "| rep | crm | tab Deals | 20 | 30 | – | 3 |",
        "| rep | crm | deals: next page | 20 | 30 | – | 3 |",
    ]
