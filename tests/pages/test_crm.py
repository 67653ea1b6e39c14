"""CRM page under AppTest: lists render server-side pages, reps start on their own deals."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nexus360.auth import service as auth_service
from nexus360.config import PROJECT_ROOT
from nexus360.crm.pagination import PAGE_SIZE
from nexus360.db import Database, session_scope

HOME = str(PROJECT_ROOT / "Home.py")
pytestmark = pytest.mark.usefixtures("seeded")


def open_crm_as(username: str) -> AppTest:
    with session_scope(Database.AUTH) as session:
        principal = auth_service.get_principal_by_username(session, username)
    app = AppTest.from_file(HOME, default_timeout=60)
    app.session_state["principal"] = principal
    app.run()
    app.switch_page(str(PROJECT_ROOT / "pages" / "crm.py"))
    return app.run()


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
