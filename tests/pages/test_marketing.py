"""Campaigns & Leads page under AppTest: every tab renders, only marketers edit, forms save through services."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, func, select
from streamlit.testing.v1 import AppTest

from nexus360.db import Database, session_scope
from nexus360.marketing import campaigns as campaign_service
from nexus360.marketing.extra_models import CampaignChange
from nexus360.marketing.models import Campaign
from tests.pages.apptest import open_as, principal_for, shown

pytestmark = pytest.mark.usefixtures("seeded")

EDIT_BUTTONS = {"Create campaign", "Save changes", "Create lead", "Save rules", "Duplicate", "Activate", "Pause"}
TABS = ["Campaigns", "Leads", "Scoring", "ROI"]


def open_campaigns_as(username: str) -> AppTest:
    return open_as(username, "marketing")


def campaigns_table(app: AppTest):
    return next(frame for frame in app.dataframe if {"name", "budget", "start_date"} <= set(frame.value.columns))


def select_row(app: AppTest, table, index: int) -> None:
    """Select a row of a selectable st.dataframe the way a click does, then rerun."""
    app.session_state[table.key] = {"selection": {"rows": [index], "columns": [], "cells": []}}
    app.run()


def labels(app: AppTest) -> set[str]:
    """Labels of the buttons on the page, form submit buttons included."""
    return {button.label for button in app.button}


@pytest.fixture
def campaign_name() -> str:
    """A unique campaign name, and every campaign with it deleted afterwards (AppTest commits for real)."""
    name = f"AppTest campaign {uuid.uuid4().hex[:8]}"
    yield name
    with session_scope(Database.MARKETING, admin=True) as session:
        ids = list(session.scalars(select(Campaign.id).where(Campaign.name == name)))
        if ids:
            session.execute(delete(CampaignChange).where(CampaignChange.campaign_id.in_(ids)))
            session.execute(delete(Campaign).where(Campaign.id.in_(ids)))


def test_marketer_sees_every_tab_with_edit_controls() -> None:
    app = open_campaigns_as("marketer")
    assert not app.exception
    assert [tab.label for tab in app.tabs] == [*TABS, "Import"]
    assert len(campaigns_table(app).value) > 0
    expanders = [expander.label for expander in app.expander]
    assert {"New campaign", "New lead"} <= set(expanders)
    assert "Save rules" in labels(app)


@pytest.mark.parametrize("username", ["manager", "rep"])
def test_readers_see_every_tab_but_no_edit_controls(username: str) -> None:
    app = open_campaigns_as(username)
    assert not app.exception
    assert [tab.label for tab in app.tabs] == TABS
    assert not {"New campaign", "New lead"} & {expander.label for expander in app.expander}
    assert not EDIT_BUTTONS & labels(app)
    assert [metric.label for metric in app.metric][:5] == [
        "Campaign leads", "Conversion rate", "Cost / conversion", "Won revenue", "ROI",
    ]


def test_manager_selecting_a_campaign_sees_its_details_read_only() -> None:
    app = open_campaigns_as("manager")
    select_row(app, campaigns_table(app), 0)
    assert not app.exception
    assert "History" in [markdown.value.strip("*") for markdown in app.markdown]
    assert any("Only marketers can change campaigns" in info.value for info in app.info)
    assert not EDIT_BUTTONS & labels(app)


def widget(app: AppTest, kind: str, key: str):
    return next(element for element in app.get(kind) if element.key == key)


def _fill_new_campaign(app: AppTest, name: str, *, start, end, budget: float) -> None:
    form = "campaign_form_new"
    widget(app, "text_input", f"{form}_name").input(name)
    widget(app, "date_input", f"{form}_start").set_value(start)
    widget(app, "date_input", f"{form}_end").set_value(end)
    widget(app, "number_input", f"{form}_budget").set_value(budget)
    widget(app, "button", f"{form}_save").click()
    app.run()


def test_a_campaign_ending_before_it_starts_is_refused_and_nothing_is_saved(campaign_name: str) -> None:
    from datetime import date

    app = open_campaigns_as("marketer")
    _fill_new_campaign(app, campaign_name, start=date(2026, 6, 30), end=date(2026, 6, 1), budget=5000)
    assert not app.exception
    assert any("End date must be on or after the start date" in error.value for error in app.error)
    with session_scope(Database.MARKETING, admin=True) as session:
        assert session.scalar(select(func.count()).where(Campaign.name == campaign_name)) == 0


def test_a_valid_edit_is_saved_and_recorded_in_the_history(campaign_name: str) -> None:
    from datetime import date

    app = open_campaigns_as("marketer")
    _fill_new_campaign(app, campaign_name, start=date(2026, 6, 1), end=date(2026, 6, 30), budget=5000)
    assert not app.exception
    with session_scope(Database.MARKETING, admin=True) as session:
        campaign_id = session.scalar(select(Campaign.id).where(Campaign.name == campaign_name))
    assert campaign_id is not None
    next(box for box in app.text_input if box.key == "campaign_search").input(campaign_name)
    app.run()
    select_row(app, campaigns_table(app), 0)
    widget(app, "number_input", f"campaign_form_{campaign_id}_budget").set_value(7500)
    widget(app, "button", f"campaign_form_{campaign_id}_save").click()
    app.run()
    assert not app.exception
    marketer = principal_for("marketer")
    with session_scope(Database.MARKETING, actor=marketer) as session:
        saved = campaign_service.get_campaign(session, marketer, campaign_id=campaign_id)
        history = campaign_service.list_campaign_history(session, marketer, campaign_id=campaign_id)
    assert saved.budget == 7500
    assert list(history[0].changes) == ["budget"]
    assert history[0].changed_by == marketer.id
    assert any("Budget" in caption.value and "7,500" in caption.value for caption in app.caption)


# --- leads ---------------------------------------------------------------------------------------


@pytest.fixture
def qualified_lead():
    """A qualified lead at a fresh company domain; it and whatever its hand-off created are deleted afterwards."""
    from nexus360.crm.models import Company, Contact, Deal
    from nexus360.marketing.extra_models import leads_table
    from nexus360.notifications.models import Notification

    token = uuid.uuid4().hex[:8]
    values = {"email": f"grace.{token}@apptest-{token}.example", "first_name": "Grace", "last_name": f"Test{token}",
              "company_name": f"AppTest Corp {token}", "job_title": "VP Operations", "status": "qualified",
              "score": 70, "score_reasons": [["Base score", 50], ["Job title mentions 'vp'", 20]]}
    with session_scope(Database.MARKETING, admin=True) as session:
        lead_id = session.execute(leads_table.insert().values(**values).returning(leads_table.c.id)).scalar_one()
    yield {"id": lead_id, **values}
    with session_scope(Database.CRM, admin=True) as session:
        session.execute(delete(Deal).where(Deal.title.like(f"%{token}%")))
        session.execute(delete(Contact).where(Contact.email == values["email"]))
        session.execute(delete(Company).where(Company.name == values["company_name"]))
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        session.execute(delete(Notification).where(Notification.title.like(f"%{token}%")))
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(delete(leads_table).where(leads_table.c.id == lead_id))


def leads_table_of(app: AppTest):
    return next(frame for frame in app.dataframe if frame.key == "leads_table")


def open_lead(app: AppTest, email: str) -> None:
    widget(app, "text_input", "lead_search").input(email)
    app.run()
    select_row(app, leads_table_of(app), 0)


def test_a_selected_lead_shows_why_it_has_its_score(qualified_lead) -> None:
    app = open_campaigns_as("marketer")
    open_lead(app, qualified_lead["email"])
    assert not app.exception
    assert "70 / 100" in [metric.value for metric in app.metric]
    reasons = next(markdown.value for markdown in app.markdown if "Base score" in markdown.value)
    assert "+50" in reasons and "+20" in reasons
    assert "Hand off to sales" in [expander.label for expander in app.expander]


def test_disqualifying_needs_a_reason(qualified_lead) -> None:
    app = open_campaigns_as("marketer")
    open_lead(app, qualified_lead["email"])
    next(button for button in app.button if button.label == "Disqualify").click().run()
    assert any("Give a reason to disqualify this lead" in error.value for error in app.error)
    marketer = principal_for("marketer")
    from nexus360.marketing import leads as lead_service

    with session_scope(Database.MARKETING, actor=marketer) as session:
        assert lead_service.get_lead(session, marketer, lead_id=qualified_lead["id"]).status == "qualified"


def test_handing_a_lead_to_sales_creates_the_deal_for_the_chosen_rep(qualified_lead) -> None:
    from nexus360.crm.models import Deal

    app = open_campaigns_as("marketer")
    open_lead(app, qualified_lead["email"])
    owner = next(box for box in app.selectbox if box.label == "Deal owner *")
    rep = principal_for("rep")
    owner.set_value(rep.id)
    next(box for box in app.number_input if box.label == "Amount ($)").set_value(12000)
    next(button for button in app.button if button.label == "Convert…").click().run()
    next(button for button in app.button if button.label == "Convert").click().run()
    assert not app.exception
    assert any("Handed off to sales" in success.value for success in app.success)
    with session_scope(Database.CRM, admin=True) as session:
        deal = session.execute(select(Deal.owner_id, Deal.amount, Deal.title).where(
            Deal.title.like(f"%{qualified_lead['company_name']}%"))).one()
    assert (deal.owner_id, deal.amount) == (rep.id, 12000)


# --- scoring and ROI -----------------------------------------------------------------------------


def test_scoring_rules_read_in_plain_words() -> None:
    app = open_campaigns_as("manager")
    rules = next(frame.value for frame in app.dataframe if "meaning" in frame.value.columns)
    assert len(rules) > 0
    assert rules["meaning"].str.contains("points|point for every").all()


def test_a_new_lead_with_a_known_email_is_saved_only_after_a_second_press(qualified_lead) -> None:
    from nexus360.marketing.extra_models import leads_table

    app = open_campaigns_as("marketer")
    widget(app, "text_input", "lead_form_new_email").input(qualified_lead["email"].upper())
    widget(app, "button", "lead_form_new_save").click().run()
    assert any("already exists" in warning.value for warning in app.warning)
    widget(app, "button", "lead_form_new_save").click().run()
    assert not app.exception
    email = func.lower(leads_table.c.email) == qualified_lead["email"]
    with session_scope(Database.MARKETING, admin=True) as session:
        ids = list(session.scalars(select(leads_table.c.id).where(email).order_by(leads_table.c.id)))
        session.execute(delete(leads_table).where(leads_table.c.id.in_(ids[1:])))
    assert len(ids) == 2


def test_the_roi_dashboard_compares_the_campaigns() -> None:
    app = open_campaigns_as("manager")
    table = next(frame.value for frame in app.dataframe if "roi" in frame.value.columns)
    assert len(table) > 0 and table["leads"].sum() > 0
    assert len(app.get("plotly_chart")) == 2


def test_the_leads_list_filters_by_minimum_score_on_the_server() -> None:
    app = open_campaigns_as("manager")
    widget(app, "number_input", "lead_min_score").set_value(80).run()
    assert not app.exception
    scores = leads_table_of(app).value["score"]
    assert len(scores) > 0 and (scores >= 80).all()


def test_only_new_and_changed_scoring_rules_are_saved() -> None:
    import pandas as pd

    from nexus360.ui.marketing.scoring import COLUMNS, _changed_rules

    before = pd.DataFrame([[1, "title_keyword", "vp", 20, True], [2, "recency", "7", -30, True]], columns=COLUMNS)
    after = pd.DataFrame(
        [
            [1, "title_keyword", "vp", 25, True],
            [2, "recency", "7", -30, True],
            [None, "email_domain", "ACME.com", 5, None],
        ],
        columns=COLUMNS,
    )
    changes = _changed_rules(before, after)
    assert [(rule_id, data.kind, data.value, data.points, data.is_active) for rule_id, data in changes] == [
        (1, "title_keyword", "vp", 25, True), (None, "email_domain", "acme.com", 5, True),
    ]


def test_rules_read_as_sentences() -> None:
    from nexus360.ui.marketing.scoring import describe_rule

    assert describe_rule("campaign_type", "event", 15) == "+15 points for leads from an event campaign"
    assert describe_rule("recency", "7", -30) == "−1 point for every 7 days since the lead came in, at most 30 points"


def status_moves(app: AppTest, campaign_id: int) -> set[str]:
    prefix = f"campaign_{campaign_id}_to_"
    return {button.label for button in app.button if (button.key or "").startswith(prefix)}


def test_activating_a_planned_campaign_offers_only_the_allowed_moves(campaign_name: str) -> None:
    from nexus360.common.periods import today_utc

    with session_scope(Database.MARKETING, admin=True) as session:
        campaign = Campaign(name=campaign_name, type="email", status="planned", start_date=today_utc())
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
    app = open_campaigns_as("marketer")
    widget(app, "text_input", "campaign_search").input(campaign_name)
    app.run()
    select_row(app, campaigns_table(app), 0)
    moves = status_moves(app, campaign_id)
    assert moves == {"Activate", "Cancel campaign…"}
    widget(app, "button", f"campaign_{campaign_id}_to_active").click().run()
    assert not app.exception
    moves = status_moves(app, campaign_id)
    assert moves == {"Pause", "Complete…", "Cancel campaign…"}
    assert any("Status: Planned → Active" in shown(caption.value) for caption in app.caption)


def test_a_new_lead_moves_on_to_contacted(qualified_lead) -> None:
    from nexus360.marketing.extra_models import leads_table

    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(leads_table.update().where(leads_table.c.id == qualified_lead["id"]).values(status="new"))
    app = open_campaigns_as("marketer")
    open_lead(app, qualified_lead["email"])
    widget(app, "button", f"lead_{qualified_lead['id']}_to_contacted").click().run()
    assert not app.exception
    with session_scope(Database.MARKETING, admin=True) as session:
        status = session.scalar(select(leads_table.c.status).where(leads_table.c.id == qualified_lead["id"]))
    assert status == "contacted"
