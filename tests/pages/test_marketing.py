"""Campaigns & Leads page under AppTest: the tab bar, what a rerun runs and sends, and the campaigns tab."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select
from streamlit.testing.v1 import AppTest

from nexus360.bench.pages import StatementCounter
from nexus360.common.periods import today_utc
from nexus360.db import Database, session_scope
from nexus360.marketing.campaigns import service as campaign_service
from nexus360.marketing.models import Campaign, CampaignChange
from tests.pages.apptest import principal_for, shown
from tests.pages.marketing_app import (
    PAYLOAD,
    TABS,
    errors,
    labels,
    open_campaigns_as,
    open_expander,
    open_tab,
    select_row,
    table,
    widget,
)
from tests.pages.sql_sent import cold_run

pytestmark = pytest.mark.usefixtures("seeded")

EDIT_BUTTONS = {"Create campaign", "Save changes", "Create lead", "Save rules", "Duplicate", "Activate", "Pause"}
NEW = "campaign_form_new"


@pytest.fixture
def campaign_name() -> Iterator[str]:
    """A unique campaign name, and every campaign with it (or its copies) deleted afterwards (AppTest commits)."""
    name = f"AppTest campaign {uuid.uuid4().hex[:8]}"
    yield name
    with session_scope(Database.MARKETING, admin=True) as session:
        ids = list(session.scalars(select(Campaign.id).where(Campaign.name.ilike(f"%{name}%"))))
        if ids:
            session.execute(delete(CampaignChange).where(CampaignChange.campaign_id.in_(ids)))
            session.execute(delete(Campaign).where(Campaign.id.in_(ids)))


def test_marketer_gets_every_tab_and_the_campaigns_tab_opens_first() -> None:
    app = open_campaigns_as("marketer")
    assert not app.exception
    assert [tab.label for tab in app.tabs] == [*TABS, "Import"]
    assert len(table(app, "campaigns_table").value) > 0
    assert [expander.label for expander in app.expander] == ["New campaign"]


@pytest.mark.parametrize("username", ["manager", "rep"])
def test_readers_get_every_tab_but_no_edit_controls(username: str) -> None:
    app = open_campaigns_as(username)
    assert [tab.label for tab in app.tabs] == TABS
    for tab in TABS:
        open_tab(app, tab)
        assert not app.exception
        assert not {"New campaign", "New lead"} & {expander.label for expander in app.expander}
        assert not EDIT_BUTTONS & labels(app)
    assert [metric.label for metric in app.metric][:5] == [
        "Campaign leads", "Conversion rate", "Cost / conversion", "Won revenue", "ROI",
    ]


# --- only what is shown runs -----------------------------------------------------------------------


@pytest.mark.parametrize(("tab", "hidden"), [
    ("Campaigns", ("FROM leads", "lead_scoring_rules")),
    ("Leads", ("lead_scoring_rules", "GROUP BY campaigns.id", "FROM deals")),
    ("Scoring", ("FROM leads", "FROM deals")),
    ("ROI", ("lead_scoring_rules", "LIMIT")),
])
def test_a_hidden_tabs_queries_are_not_run(tab: str, hidden: tuple[str, ...]) -> None:
    app = open_campaigns_as("marketer", tab)
    sent = " ".join(cold_run(app))
    for query in hidden:
        assert query not in sent, f"{tab} open, yet a hidden tab's query ran: {query}"


def test_a_closed_expander_draws_no_form() -> None:
    app = open_campaigns_as("marketer")
    assert not [box for box in app.text_input if (box.key or "").startswith(NEW)]
    open_expander(app, "new_campaign_open")
    assert widget(app, "text_input", f"{NEW}_0_name").value == ""


@pytest.mark.parametrize("tab", [*TABS, "Import"])
def test_a_warm_rerun_of_each_tab_sends_no_more_than_the_sidebars_statements(tab: str) -> None:
    app = open_campaigns_as("marketer", tab)
    counter = StatementCounter()
    try:
        app.run()  # warm: what this tab reads is cached now
        with counter.counting() as sent:
            app.run()
        with counter.counting() as cold:
            cold_run(app)
    finally:
        counter.close()
    assert not app.exception
    # the session check and the sidebar's unread count, each with its row-level security settings
    assert sent[0] <= 4, f"a warm rerun of {tab} sent {sent[0]} statements"
    assert cold[0] <= 10, f"a cold rerun of {tab} sent {cold[0]} statements"


@pytest.mark.parametrize(("tab", "table_key"), [("Campaigns", "campaigns_table"), ("Leads", "leads_table")])
def test_opening_a_record_sends_few_statements(tab: str, table_key: str) -> None:
    app = open_campaigns_as("marketer", tab)
    counter = StatementCounter()
    try:
        for row in range(3):  # records not seen before: their reads are not cached yet
            with counter.counting() as sent:
                select_row(app, table_key, row)
            assert not app.exception
            assert sent[0] <= 10, f"opening row {row} of {tab} sent {sent[0]} statements"
    finally:
        counter.close()


# --- the campaigns tab ---------------------------------------------------------------------------


def test_campaigns_are_listed_latest_start_date_first() -> None:
    starts = table(open_campaigns_as("manager"), "campaigns_table").value["start_date"].dropna()
    assert len(starts) > 1 and list(starts) == sorted(starts, reverse=True)


def test_selecting_a_campaign_shows_its_details_read_only_to_a_manager() -> None:
    app = select_row(open_campaigns_as("manager"), "campaigns_table", 0)
    assert not app.exception
    assert "History" in [markdown.value.strip("*") for markdown in app.markdown]
    assert any("Only marketers can change campaigns" in info.value for info in app.info)
    assert not EDIT_BUTTONS & labels(app)


def fill_new_campaign(app: AppTest, name: str, *, start: date, end: date, budget: float | None) -> AppTest:
    if "new_campaign_open" not in app.session_state or not app.session_state["new_campaign_open"]:
        open_expander(app, "new_campaign_open")
    widget(app, "text_input", f"{NEW}_").input(name)
    widget(app, "date_input", f"{NEW}_").set_value(start)
    [_start, end_box] = [box for box in app.date_input if (box.key or "").startswith(NEW)]
    end_box.set_value(end)
    widget(app, "number_input", f"{NEW}_").set_value(budget)
    widget(app, "button", f"{NEW}_").click()
    return app.run()


def campaigns_named(name: str) -> int:
    with session_scope(Database.MARKETING, admin=True) as session:
        return session.scalar(select(func.count()).where(Campaign.name == name))


def test_a_campaign_ending_before_it_starts_is_refused_and_nothing_is_saved(campaign_name: str) -> None:
    app = fill_new_campaign(open_campaigns_as("marketer"), campaign_name, start=date(2026, 6, 30),
                            end=date(2026, 6, 1), budget=5000)
    assert not app.exception
    assert "End date must be on or after the start date" in " ".join(errors(app))
    assert campaigns_named(campaign_name) == 0


def test_a_negative_budget_is_refused_by_name_and_the_next_error_matches_the_next_input(campaign_name: str) -> None:
    app = fill_new_campaign(open_campaigns_as("marketer"), campaign_name, start=date(2026, 6, 1),
                            end=date(2026, 6, 30), budget=-100)
    assert errors(app) == ["Budget must not be negative."]
    widget(app, "number_input", f"{NEW}_").set_value(12345.678)
    widget(app, "button", f"{NEW}_").click()
    app.run()
    assert errors(app) == ["Budget can have at most 2 decimal places (not 12345.678)."]
    assert campaigns_named(campaign_name) == 0
    budget = widget(app, "number_input", f"{NEW}_")
    assert "0 or more" in budget.help and budget.min is None  # stated, and not a silent widget refusal


def test_a_created_campaign_clears_the_form_and_a_same_named_one_needs_a_second_press(campaign_name: str) -> None:
    app = fill_new_campaign(open_campaigns_as("marketer"), campaign_name, start=date(2026, 6, 1),
                            end=date(2026, 6, 30), budget=5000)
    assert not app.exception and not errors(app)
    assert campaigns_named(campaign_name) == 1
    assert widget(app, "text_input", f"{NEW}_").value == ""  # a second press of Create cannot repeat it
    assert widget(app, "number_input", f"{NEW}_").value is None
    fill_new_campaign(app, campaign_name.upper(), start=date(2026, 7, 1), end=date(2026, 7, 30), budget=None)
    assert any("already exists" in shown(warning.value) for warning in app.warning)
    assert campaigns_named(campaign_name.upper()) == 0
    widget(app, "button", f"{NEW}_").click()
    app.run()
    assert campaigns_named(campaign_name.upper()) == 1


def search_and_select(app: AppTest, name: str) -> AppTest:
    widget(app, "text_input", "campaign_search").input(name)
    app.run()
    return select_row(app, "campaigns_table", 0)


def test_a_saved_edit_shows_at_once_in_the_heading_list_and_history(campaign_name: str) -> None:
    with session_scope(Database.MARKETING, admin=True) as session:
        session.add(Campaign(name=campaign_name, type="email", status="planned", start_date=date(2026, 6, 1),
                             end_date=date(2026, 6, 30)))
    app = search_and_select(open_campaigns_as("marketer"), campaign_name)
    with session_scope(Database.MARKETING, admin=True) as session:
        campaign_id = session.scalar(select(Campaign.id).where(Campaign.name == campaign_name))
    assert any("no budget" in caption.value for caption in app.caption)  # never "None"
    open_expander(app, f"edit_campaign_{campaign_id}_open")
    widget(app, "number_input", f"campaign_form_{campaign_id}_").set_value(7500)
    widget(app, "text_input", f"campaign_form_{campaign_id}_").input(f"{campaign_name} renamed")
    widget(app, "button", f"campaign_form_{campaign_id}_").click()
    app.run()
    assert not app.exception and not errors(app)
    assert shown(app.subheader[0].value) == f"{campaign_name} renamed"
    assert list(table(app, "campaigns_table").value["budget"]) == [7500]
    assert any("Budget: none → $7,500" in shown(caption.value) for caption in app.caption)
    assert widget(app, "number_input", f"campaign_form_{campaign_id}_").value == 7500
    marketer = principal_for("marketer")
    with session_scope(Database.MARKETING, actor=marketer) as session:
        history = campaign_service.list_campaign_history(session, marketer, campaign_id=campaign_id)
    assert set(history[0].changes) == {"name", "budget"} and history[0].changed_by == marketer.id


def test_campaign_names_are_shown_exactly_as_typed_in_heading_toast_and_list(campaign_name: str) -> None:
    name = f"{campaign_name} {PAYLOAD}"
    app = fill_new_campaign(open_campaigns_as("marketer"), name, start=date(2026, 6, 1), end=date(2026, 6, 30),
                            budget=100)
    assert [shown(toast.value) for toast in app.toast] == [f"Created {name}."]
    search_and_select(app, campaign_name)
    assert shown(app.subheader[0].value) == name
    assert list(table(app, "campaigns_table").value["name"]) == [name]


def status_moves(app: AppTest, campaign_id: int) -> set[str]:
    prefix = f"campaign_{campaign_id}_to_"
    return {button.label for button in app.button if (button.key or "").startswith(prefix)}


def test_activating_a_planned_campaign_offers_only_the_allowed_moves(campaign_name: str) -> None:
    with session_scope(Database.MARKETING, admin=True) as session:
        campaign = Campaign(name=campaign_name, type="email", status="planned", start_date=today_utc())
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
    app = search_and_select(open_campaigns_as("marketer"), campaign_name)
    assert status_moves(app, campaign_id) == {"Activate", "Cancel campaign…"}
    widget(app, "button", f"campaign_{campaign_id}_to_active").click().run()
    assert not app.exception
    assert status_moves(app, campaign_id) == {"Pause", "Complete…", "Cancel campaign…"}
    assert any("Status: Planned → Active" in shown(caption.value) for caption in app.caption)
    assert list(table(app, "campaigns_table").value["status"]) == ["Active"]


def test_a_duplicate_is_listed_at_once(campaign_name: str) -> None:
    with session_scope(Database.MARKETING, admin=True) as session:
        session.add(Campaign(name=campaign_name, type="event", status="active",
                             start_date=today_utc() - timedelta(days=3)))
    app = search_and_select(open_campaigns_as("marketer"), campaign_name)
    next(button for button in app.button if button.label == "Duplicate").click().run()
    assert not app.exception
    assert sorted(table(app, "campaigns_table").value["name"]) == [campaign_name, f"Copy of {campaign_name}"]
