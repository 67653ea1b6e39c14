"""`bench crm|marketing|commissions` run on the seeded demo data and print figures for every query.

The figures themselves are not asserted (speed is judged on `demo seed --scale large`, not in tests);
what is checked is that every query of the page runs through its service and its SQL is replayed.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from nexus360.cli import main
from nexus360.db import Database, session_scope

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


def _bench(*arguments: str, runs: int = 2) -> dict:
    result = CliRunner().invoke(main, ["bench", *arguments, "--runs", str(runs)])
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


def _knowledge_state() -> tuple:
    """Passages and vector indexes, read in a transaction of its own (one held open would hold a lock on
    the table that the bench's DROP INDEX waits for)."""
    with session_scope(Database.CHAT, admin=True) as session:
        return (session.execute(text("SELECT count(*) FROM knowledge_passages")).scalar_one(),
                sorted(session.execute(text("SELECT indexdef FROM pg_indexes "
                                            "WHERE tablename = 'knowledge_passages'")).scalars()))


@pytest.mark.usefixtures("seeded")
def test_bench_assistant_measures_at_scale_and_leaves_the_knowledge_base_as_it_found_it() -> None:
    before = _knowledge_state()
    report = _bench("assistant", "--passages", "300", runs=10)
    assert report["golden_questions"] >= 40 and set(report["quality"]) == {"text", "vector", "rrf", "max"}
    scale = report["scale"]
    assert scale["passages"] == 300 and scale["vector_search_ms"]["runs"] == 10
    for recall in (scale["vector_recall@10_vs_exact"], scale["vector_search_as_manager"]["recall@10_vs_exact"]):
        assert 0.9 <= recall <= 1  # 300 passages: the graphs find (nearly) the exact neighbours
    assert _knowledge_state() == before  # synthetic passages gone, every vector index back
