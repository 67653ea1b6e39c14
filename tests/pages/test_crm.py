"""CRM page under AppTest: lists render server-side pages, reps start on their own deals."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nexus360.common.pagination import PAGE_SIZE
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
    labels = [expander.label for expander in app.expander]
    assert "New company" not in labels
    assert "New deal" not in labels


def test_a_likely_duplicate_company_is_saved_only_after_a_second_press() -> None:
    from sqlalchemy import delete, func, select

    from nexus360.crm.models import Company
    from nexus360.db import Database, session_scope

    with session_scope(Database.CRM, admin=True) as session:
        existing = session.scalars(select(Company.name).order_by(Company.id).limit(1)).one()
        count = session.scalar(select(func.count()).where(Company.name == existing))
    app = open_crm_as("manager")
    next(box for box in app.text_input if box.label == "Name *").input(existing)
    create = next(button for button in app.button if button.label == "Create company")
    create.click().run()
    assert any("Possible duplicate" in warning.value for warning in app.warning)
    next(button for button in app.button if button.label == "Create company").click().run()
    assert not app.exception
    with session_scope(Database.CRM, admin=True) as session:
        assert session.scalar(select(func.count()).where(Company.name == existing)) == count + 1
        newest = session.scalar(select(func.max(Company.id)).where(Company.name == existing))
        session.execute(delete(Company).where(Company.id == newest))
