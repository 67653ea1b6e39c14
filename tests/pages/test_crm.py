"""CRM page under AppTest: lists render server-side pages, reps start on their own deals."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nexus360.crm.pagination import PAGE_SIZE
from tests.pages.apptest import open_as

pytestmark = pytest.mark.usefixtures("seeded")


def open_crm_as(username: str) -> AppTest:
    return open_as(username, "crm")


def deals_table(app: AppTest):
    """The Deals tab's list (not the dashboard's deals at risk)."""
    return next(frame.value for frame in app.dataframe if {"title", "owner", "close_date"} <= set(frame.value.columns))


def test_rep_sees_only_their_own_open_deals_by_default() -> None:
    app = open_crm_as("rep")
    assert not app.exception
    deals = deals_table(app)
    assert 0 < len(deals) <= PAGE_SIZE
    assert set(deals["owner"]) == {app.session_state["principal"].display_name}
    assert not set(deals["stage"]) & {"Closed Won", "Closed Lost"}


def test_manager_sees_everyones_deals_one_page_at_a_time() -> None:
    app = open_crm_as("manager")
    assert not app.exception
    deals = deals_table(app)
    assert len(deals) == PAGE_SIZE
    assert len(set(deals["owner"])) > 1


def test_marketer_reads_the_crm_but_gets_no_create_forms() -> None:
    app = open_crm_as("marketer")
    assert not app.exception
    assert "New company" not in [expander.label for expander in app.expander]
