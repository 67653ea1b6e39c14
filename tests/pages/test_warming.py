"""Issue 12: a filter value chosen for the first time is computed off the rerun path (nexus360.ui.warming).

Showing the CRM dashboard or the ROI report warms, in a background thread, the figures of the other common
periods: choosing one then reads the cache. The warmed value is the one the page would compute itself, and a write
still shows at once (every cache key holds the data generations).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from nexus360.common.periods import previous_quarter, quarter_of, today_utc
from nexus360.crm.deals import flows as deal_flows
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealCreate
from nexus360.crm.models import Company, Deal, DealStage
from nexus360.db import Database, session_scope
from nexus360.ui import warming
from nexus360.ui.crm.dashboard import CHART_KEY
from tests.pages.apptest import open_as, principal_for
from tests.pages.sql_sent import sql_sent

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
def warm() -> Iterator[None]:
    """Caches and warm-ups forgotten, warm-ups on (and waited for at the end: no thread outlives the test)."""
    st.cache_data.clear()
    warming.forget()
    warming.enabled = True
    yield
    finish_warming()
    warming.enabled = True


def finish_warming() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith(warming.WARM_THREAD):
            thread.join(timeout=60)


def shown_figures(app: AppTest) -> dict[str, tuple[str, str, str]]:
    return {metric.label: (metric.value, metric.delta, metric.help) for metric in app.metric}


def dashboard(username: str = "manager") -> AppTest:
    app = open_as(username, "crm")
    assert not app.exception
    return app


@pytest.mark.usefixtures("warm")
def test_showing_the_dashboard_warms_the_other_periods_and_a_warm_period_sends_no_deal_query() -> None:
    app = dashboard()
    finish_warming()
    with sql_sent() as texts:
        app.selectbox(key="dash_period").set_value("Last quarter").run()
    assert not app.exception
    assert not [text for text in texts if "deals" in text], texts
    warmed = shown_figures(app)
    # What the page computes itself, with every cache emptied and no warm-up: the same figures.
    st.cache_data.clear()
    warming.enabled = False
    app.run()
    assert shown_figures(app) == warmed


@pytest.mark.usefixtures("warm")
def test_the_warm_up_follows_the_chart_picked_and_reads_no_other() -> None:
    """Only what the tab shows is warmed: the KPIs and the chart picked (picking one warms its periods)."""
    other_charts = ("GROUP BY industries.id", "GROUP BY countries.id", "AS open_amount")  # who is ahead
    with sql_sent(warm_ups=True) as texts:
        app = dashboard()  # opens on the stages: period-free, so only the KPIs are warmed
        finish_warming()
    assert not [text for text in texts if any(chart in text for chart in other_charts)], texts
    with sql_sent(warm_ups=True) as texts:
        app.segmented_control(key=CHART_KEY).set_value("Won by month").run()
        finish_warming()
    assert not [text for text in texts if any(chart in text for chart in other_charts)], texts
    with sql_sent() as texts:
        app.selectbox(key="dash_period").set_value("Last quarter").run()
    assert not app.exception
    assert not [text for text in texts if "deals" in text], texts


@pytest.mark.usefixtures("warm")
def test_the_roi_report_warms_the_other_periods() -> None:
    app = open_as("marketer", "marketing")
    app.session_state["campaigns_tab"] = "ROI"
    app.run()
    finish_warming()
    with sql_sent() as texts:
        app.selectbox(key="roi_period").set_value("All time").run()
    assert not app.exception
    assert not [text for text in texts if "leads" in text or "deals" in text], texts
    warmed = shown_figures(app)
    st.cache_data.clear()
    warming.enabled = False
    app.run()
    assert shown_figures(app) == warmed


@pytest.fixture
def won_last_quarter() -> Iterator[DealCreate]:
    """What a won deal of last quarter would be (created by the test, deleted afterwards)."""
    manager = principal_for("manager")
    with session_scope(Database.CRM, admin=True) as session:
        company_id = session.scalar(select(func.min(Company.id)))
        won = session.scalar(select(func.min(DealStage.id)).where(DealStage.is_won))
    data = DealCreate(title="Warm-cache check", company_id=company_id, stage_id=won, amount=Decimal(1_000_000),
                      close_date=previous_quarter(quarter_of(today_utc())).start, owner_id=manager.id)
    yield data
    with session_scope(Database.CRM, actor=manager) as crm:
        for deal_id in crm.scalars(select(Deal.id).where(Deal.title == data.title)):
            deal_service.delete_deal(crm, manager, deal_id=deal_id)


@pytest.mark.usefixtures("warm")
def test_a_deal_won_after_warming_shows_at_once(won_last_quarter: DealCreate) -> None:
    app = dashboard()
    finish_warming()
    app.selectbox(key="dash_period").set_value("Last quarter").run()
    before = shown_figures(app)["Won"]
    deal_flows.create_deal(principal_for("manager"), data=won_last_quarter)
    app.run()
    after = shown_figures(app)["Won"]
    assert after != before
    won_before, won_after = (int(help.split(" deals")[0].replace(",", "")) for *_rest, help in (before, after))
    assert won_after == won_before + 1


def test_warm_ups_run_once_per_key_and_not_when_switched_off() -> None:
    warming.forget()
    ran: list[int] = []
    first = warming.warm(("test", 1), [lambda: ran.append(1)])
    assert first is not None
    first.join()
    assert warming.warm(("test", 1), [lambda: ran.append(2)]) is None
    warming.enabled = False
    try:
        assert warming.warm(("test", 2), [lambda: ran.append(3)]) is None
    finally:
        warming.enabled = True
    assert ran == [1]


@pytest.mark.usefixtures("warm")
def test_a_period_chosen_cold_reads_only_closed_deals() -> None:
    """Without a warm-up, a new period computes its closed-deal figures only: the open pipeline, the funnel and the
    deals at risk are today's snapshot, cached without the period (DashboardFilters.snapshot)."""
    warming.enabled = False
    app = dashboard()
    with sql_sent() as texts:
        app.selectbox(key="dash_period").set_value("This year").run()
    assert not app.exception
    deal_reads = [text for text in texts if "deals" in text]
    assert deal_reads  # the period's figures were computed
    for snapshot in ("win_probability", "deal_stages.position", "deal_stage_history"):  # open totals, funnel, at risk
        assert not [text for text in deal_reads if snapshot in text], snapshot


@pytest.mark.usefixtures("warm")
@pytest.mark.parametrize("username", ["rep", "marketer"])
def test_home_warms_the_dashboards_periods_before_the_crm_page_is_opened(username: str) -> None:
    app = open_as(username)  # Home, where a person lands after signing in
    finish_warming()
    app.switch_page("pages/crm.py")
    app.session_state["crm_tab"] = "Dashboard"
    app.run()
    with sql_sent() as texts:
        app.selectbox(key="dash_period").set_value("Last quarter").run()
    assert not app.exception
    assert not [text for text in texts if "deals" in text], texts
