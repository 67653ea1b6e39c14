"""Home page under AppTest: each role's first question answered, with the CRM dashboard's own figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_as
from tests.pages.sql_sent import sql_sent

pytestmark = pytest.mark.usefixtures("seeded")


def run_home_as(username: str) -> AppTest:
    return open_as(username)


def metrics(app: AppTest) -> dict:
    return {metric.label: metric for metric in app.metric}


def test_manager_sees_the_five_kpis_without_error() -> None:
    app = run_home_as("manager")
    assert not app.exception
    labels = [metric.label for metric in app.metric]
    assert labels[0] == "Open pipeline"
    assert labels[1].startswith("Won in Q")
    assert labels[2:] == ["Win rate", "New leads", "Unread notifications"]
    assert app.metric[0].value.startswith("$")
    assert app.metric[2].value.endswith("%")


def test_a_rep_sees_their_own_deals_and_the_ones_that_need_them() -> None:
    app = run_home_as("rep")
    assert not app.exception
    labels = [metric.label for metric in app.metric]
    assert labels[0] == "My open pipeline" and labels[1].startswith("My wins in Q")
    assert "Unread notifications" in labels
    assert [subheader.value for subheader in app.subheader] == ["Deals that need you", "My pipeline by stage"]
    deal_links = [link for link in app.get("page_link") if "deal=" in str(link.proto.query_string)]
    assert deal_links or app.success  # each deal that needs them links to it, or none does


def test_a_marketer_sees_this_months_leads_and_what_a_lead_costs() -> None:
    """Issue 13, item 16: the marketer's Home was the sales dashboard."""
    app = run_home_as("marketer")
    assert not app.exception
    labels = [metric.label for metric in app.metric]
    assert labels == ["New leads", "Qualified", "Converted", "Cost per lead", "Unread notifications"]
    assert "Open pipeline" not in labels
    assert [subheader.value for subheader in app.subheader] == ["Leads this month by campaign", "What a lead costs"]
    assert metrics(app)["Cost per lead"].value.startswith("$") or metrics(app)["Cost per lead"].value == "–"


def test_the_marketers_new_leads_are_the_managers_new_leads() -> None:
    assert metrics(run_home_as("marketer"))["New leads"].value == metrics(run_home_as("manager"))["New leads"].value


def test_signed_out_visitor_gets_the_sign_in_form_and_no_figures() -> None:
    app = open_as(None)
    assert not app.exception
    assert not app.metric
    assert [field.label for field in app.text_input] == ["Username", "Password"]


def test_home_and_the_crm_dashboard_show_the_same_won_figure_for_this_quarter() -> None:
    """Issue 13, item 5: one path per figure and one definition of "vs previous"; never "-0%"."""
    home = metrics(run_home_as("manager"))
    crm = metrics(open_as("manager", "crm"))
    won = next(metric for label, metric in home.items() if label.startswith("Won in Q"))

    assert won.value == crm["Won"].value
    assert home["Open pipeline"].value == crm["Open pipeline"].value
    # the same comparison (the same days of last quarter), worded for each page, never "-0%"
    assert (won.delta or "").split(" vs ")[0] == (crm["Won"].delta or "").split(" vs ")[0]
    assert not (won.delta or "").startswith("-0%")
    assert "first" in won.help or "whole of last quarter" in won.help


def test_a_reps_home_and_their_crm_dashboard_agree() -> None:
    home = metrics(run_home_as("rep"))
    crm = open_as("rep", "crm")
    crm.selectbox(key="dash_owner").set_value(
        next(choice for choice in crm.selectbox(key="dash_owner").options if choice == "My deals"))
    crm.run()
    dashboard = metrics(crm)
    won = next(metric for label, metric in home.items() if label.startswith("My wins in Q"))

    assert won.value == dashboard["Won"].value
    assert home["My open pipeline"].value == dashboard["Open pipeline"].value
    assert (won.delta or "").split(" vs ")[0] == (dashboard["Won"].delta or "").split(" vs ")[0]


@pytest.fixture
def statements() -> Iterator[list[str]]:
    with sql_sent() as seen:
        yield seen


@pytest.mark.parametrize(("username", "cold_budget"), [("manager", 24), ("rep", 24), ("marketer", 16)])
def test_home_sends_few_statements(statements, username: str, cold_budget: int) -> None:
    app = run_home_as(username)
    st.cache_data.clear()
    statements.clear()
    app.run()
    assert not app.exception
    assert len(statements) <= cold_budget
    statements.clear()
    app.run()
    assert len(statements) <= 2  # at most the sidebar's unread count
