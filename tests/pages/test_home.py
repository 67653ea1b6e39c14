"""Home page under AppTest: a signed-in user sees the KPIs computed from the demo data."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_as


def run_home_as(username: str) -> AppTest:
    return open_as(username)


@pytest.mark.usefixtures("seeded")
def test_manager_sees_the_five_kpis_without_error() -> None:
    app = run_home_as("manager")
    assert not app.exception
    labels = [metric.label for metric in app.metric]
    assert labels[0] == "Open pipeline"
    assert labels[1].startswith("Won in Q")
    assert labels[2:] == ["Win rate", "New leads", "Unread notifications"]
    assert app.metric[0].value.startswith("$")
    assert app.metric[2].value.endswith("%")


@pytest.mark.usefixtures("seeded")
def test_rep_sees_the_home_page_with_their_own_unread_count() -> None:
    app = run_home_as("rep")
    assert not app.exception
    assert "Unread notifications" in [metric.label for metric in app.metric]


@pytest.mark.usefixtures("seeded")
def test_signed_out_visitor_gets_the_sign_in_form_and_no_figures() -> None:
    app = open_as(None)
    assert not app.exception
    assert not app.metric
    assert [field.label for field in app.text_input] == ["Username", "Password"]


@pytest.mark.usefixtures("seeded")
def test_home_and_the_crm_dashboard_show_the_same_won_figure_for_this_quarter() -> None:
    """One path per figure: Home's "Won in Qn" is the CRM dashboard's "Won" for This quarter and Everyone."""
    home = {metric.label: metric for metric in run_home_as("manager").metric}
    crm = {metric.label: metric for metric in open_as("manager", "crm").metric}
    won = next(metric for label, metric in home.items() if label.startswith("Won in Q"))

    assert won.value == crm["Won"].value
    assert home["Open pipeline"].value == crm["Open pipeline"].value
    # the same comparison (the same days of last quarter), worded for each page, never "-0%"
    assert (won.delta or "").split(" vs ")[0] == (crm["Won"].delta or "").split(" vs ")[0]
    assert not (won.delta or "").startswith("-0%")
    assert "first" in won.help or "whole of last quarter" in won.help
