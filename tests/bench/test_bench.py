"""`bench crm|marketing|commissions` run on the seeded demo data and print figures for every query.

The figures themselves are not asserted (speed is judged on `demo seed --scale large`, not in tests);
what is checked is that every query of the page runs through its service and its SQL is replayed.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nexus360.cli import main

MARKETING_QUERIES = {
    *(f"leads.{name}.page_{page}" for page in (1, 2) for name in (
        "all", "status", "campaign_large", "campaign_small", "min_score", "search_email", "search_name",
        "search_company",
    )),
    "leads.export.all", "leads.export.campaign_large", "leads.export.search_company", "leads.duplicate_email",
    "leads.get", "campaigns.choices", "campaigns.list", "campaigns.list.search", "campaigns.history",
    "roi.12_months.all_types", "roi.12_months.one_type",
}
COMMISSIONS_QUERIES = {
    "team_period", "team_history", "list_periods", "get_statement", "my_history", "earnings_overview",
    "run_period.list_won_deals.quarter",
}


def _bench(*arguments: str) -> dict:
    result = CliRunner().invoke(main, ["bench", *arguments, "--runs", "2"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _assert_figures(report: dict, names: set[str]) -> None:
    assert set(report["queries"]) == names
    for name, figures in report["queries"].items():
        assert figures["statements"] >= 1, name
        for timing in ("service_ms", "sql_ms"):
            assert 0 <= figures[timing]["median"] <= figures[timing]["p95"], name


@pytest.mark.usefixtures("seeded")
def test_bench_marketing_prints_figures_for_every_campaigns_and_leads_query():
    report = _bench("marketing")

    assert report["leads"] > 0 and report["runs"] == 2
    _assert_figures(report, MARKETING_QUERIES)


@pytest.mark.usefixtures("seeded")
def test_bench_marketing_only_times_the_queries_named():
    report = _bench("marketing", "--only", "roi.")

    assert set(report["queries"]) == {"roi.12_months.all_types", "roi.12_months.one_type"}


@pytest.mark.usefixtures("seeded")
def test_bench_commissions_prints_figures_for_every_commissions_query():
    report = _bench("commissions")

    assert report["statements"] > 0 and report["deals"] > 0
    _assert_figures(report, COMMISSIONS_QUERIES)


@pytest.mark.usefixtures("seeded")
def test_bench_crm_times_the_dashboard_kpis_for_each_filter():
    report = _bench("crm", "--only", "dashboard.kpis.")

    assert report["deals"] > 0
    _assert_figures(report, {f"dashboard.kpis.{label}" for label in ("quarter", "12_months", "team", "industry")})


FORECASTS_QUERIES = {
    "crm.stage_categories", "crm.period_totals.company.quarter", "crm.period_totals.company.month",
    "crm.period_totals.team.quarter", "crm.undated_totals.company", "crm.monthly_won.company.36_months",
    "crm.monthly_won.team_by_rep.36_months", "crm.category_deals.rep.page_1", "crm.category_deals.company.page_2",
    "crm.category_deals.company.commit", "auth.scopes", "compensation.quotas.team", "forecasting.latest_calls.team",
    "forecasting.history_at_midpoints.company", "movement.diff.company.two_snapshots",
}


@pytest.mark.usefixtures("seeded")
def test_bench_forecasts_prints_figures_for_every_query_flow_and_generation():
    report = _bench("forecasts")

    _assert_figures(report, FORECASTS_QUERIES)
    assert {"generate.company.quarter", "flow.overview.company.quarter", "flow.rollup.team.quarter",
            "flow.accuracy.company.8_quarters", "flow.movement.company.to_now"} <= set(report["flows_ms"])
