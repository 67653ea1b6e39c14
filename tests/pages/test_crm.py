"""CRM page under AppTest: lazy tabs, role defaults, saves that show at once, validation, literal user text,
deep links, and the SQL a rerun sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from nexus360.common.pagination import PAGE_SIZE
from nexus360.common.periods import today_utc
from nexus360.crm.deals import flows as deal_flows
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealCreate
from nexus360.crm.models import Company, DealStage, Industry
from nexus360.db import Database, session_scope
from nexus360.ui import warming
from nexus360.ui.crm.dashboard import CHART_KEY
from tests.pages.apptest import open_as, principal_for, shown
from tests.pages.sql_sent import sql_sent

pytestmark = pytest.mark.usefixtures("seeded")

PAYLOAD = '=HYPERLINK("http://evil","x") :red[red] **bold** $x^2$ <b>b</b> [link](http://evil)'


def open_crm_as(username: str, tab: str | None = None, **query: str) -> AppTest:
    app = open_as(username, "crm")
    if tab or query:
        app.query_params.update({"crm_tab": tab, **query} if tab else query)
        app.run()
    return app


def deals_table(app: AppTest):
    """The Deals tab's list."""
    return next(frame.value for frame in app.dataframe if {"title", "owner", "close_date"} <= set(frame.value.columns))


@pytest.fixture
def planted_deal() -> Iterator:
    """An open deal of the demo rep closing today (first in their list), deleted afterwards."""
    rep = principal_for("rep")
    with session_scope(Database.CRM, admin=True) as session:
        company_id = session.scalar(select(func.min(Company.id)))
    deal = deal_flows.create_deal(rep, data=DealCreate(
        title="Stale-save check", company_id=company_id, stage_id=1, amount=Decimal(1000),
        close_date=today_utc(), owner_id=rep.id))
    yield deal
    manager = principal_for("manager")
    with session_scope(Database.CRM, actor=manager) as crm:
        deal_service.delete_deal(crm, manager, deal_id=deal.id)


# --- roles and defaults -------------------------------------------------------------------------------


def test_rep_sees_only_their_own_open_deals_by_default() -> None:
    app = open_crm_as("rep", "Deals")
    assert not app.exception
    deals = deals_table(app)
    assert 0 < len(deals) <= PAGE_SIZE
    assert set(deals["owner"]) == {app.session_state["principal"].display_name}
    assert not set(deals["stage"]) & {"Closed Won", "Closed Lost"}


def test_manager_sees_everyones_deals_one_page_at_a_time() -> None:
    app = open_crm_as("manager", "Deals")
    assert not app.exception
    deals = deals_table(app)
    assert len(deals) == PAGE_SIZE
    assert len(set(deals["owner"])) > 1


def test_marketer_reads_everyones_deals_and_is_never_told_to_create_one() -> None:
    """Issue 13, item 16: marketers own no deals, so "my deals" would always be empty."""
    deals = open_crm_as("marketer", "Deals")
    assert not deals.exception
    assert len(set(deals_table(deals)["owner"])) > 1
    assert "My deals" not in deals.selectbox(key="deal_owner").options
    assert "New deal" not in [expander.label for expander in deals.expander]
    board = open_crm_as("marketer", "Pipeline")
    assert not board.exception
    assert not [toggle for toggle in board.toggle if toggle.label == "Only my deals"]
    assert not any("Create one" in info.value for info in board.info)
    assert any("deals ·" in caption.value for caption in board.caption)
    assert any(button.label.endswith(" more") for button in board.button)  # "39,952 more": the stage's deals


def test_marketer_has_no_create_forms_and_no_import_tab() -> None:
    app = open_crm_as("marketer", "Companies")
    assert not app.exception
    assert "New company" not in [expander.label for expander in app.expander]
    assert "Import" not in [tab.label for tab in app.tabs]


def test_empty_boards_say_what_each_person_can_do() -> None:
    from nexus360.ui.crm.board import _empty_board

    rep, marketer = principal_for("rep"), principal_for("marketer")
    assert "Create one on the Deals tab" in _empty_board(rep, mine=True)
    assert "Only my deals" in _empty_board(rep, mine=True)
    assert "Create" not in _empty_board(marketer, mine=False)
    assert open_crm_as("rep", "Pipeline").toggle(key="board_mine").value is True


# --- lazy tabs and SQL -----------------------------------------------------------------------------


@pytest.fixture
def statements() -> Iterator[list[str]]:
    with sql_sent() as seen:
        yield seen


def test_only_the_open_tab_queries_the_database(statements) -> None:
    """The dashboard is open: no deal list, board cards, companies or contacts are read."""
    app = open_as("manager")
    st.cache_data.clear()
    app.switch_page("pages/crm.py")
    statements.clear()
    app.run()
    assert not app.exception
    sent = " ".join(statements)
    assert "FROM deal_stages" in sent and "sum(deals.amount)" in sent  # the dashboard's figures
    assert "LATERAL" not in sent  # the board's cards
    assert "contacts" not in sent and "companies.created_at" not in sent  # the contacts and companies lists
    assert "deals.updated_at" not in sent  # the deal list


@pytest.mark.parametrize("tab", ["Dashboard", "Pipeline", "Deals", "Companies", "Contacts", "Import"])
def test_a_rerun_of_each_tab_sends_few_statements(statements, tab: str) -> None:
    """Warm (the same page again) a tab sends nothing; opened cold it stays within a budget per tab."""
    budgets = {"Dashboard": 45, "Pipeline": 10, "Deals": 12, "Companies": 8, "Contacts": 8, "Import": 6}
    app = open_as("manager")
    st.cache_data.clear()
    app.switch_page("pages/crm.py")
    app.session_state["crm_tab"] = tab
    statements.clear()
    app.run()
    assert not app.exception
    assert len(statements) <= budgets[tab]
    statements.clear()
    app.run()
    assert len(statements) <= 2  # at most the sidebar's unread count


# --- saves, validation and literal text -------------------------------------------------------------


def test_a_saved_deal_shows_its_new_values_at_once_in_the_list_heading_and_history(planted_deal) -> None:
    """Issue 13, item 1: the toast said saved while the row, the heading and the history kept the old values."""
    app = open_crm_as("rep", "Deals", deal=str(planted_deal.id))
    assert shown(app.subheader[0].value) == "Stale-save check"
    next(box for box in app.selectbox if box.label == "Stage *").set_value(4)
    next(box for box in app.number_input if box.label == "Amount ($)").set_value(2500.0)
    next(button for button in app.button if button.label == "Save changes").click().run()

    assert not app.exception
    assert app.caption[0].value.startswith("Proposal · $2.5K")
    assert any("Prospecting → Proposal" in shown(caption.value) for caption in app.caption)
    row = deals_table(app).set_index("title").loc["Stale-save check"]
    assert (row["stage"], row["amount"]) == ("Proposal", 2500)
    assert [shown(toast.value) for toast in app.toast] == ["Saved “Stale-save check”."]
    assert next(box for box in app.number_input if box.label == "Amount ($)").value == 2500.0


def test_the_deal_form_names_every_field_that_fails_now_and_only_those(planted_deal) -> None:
    """Issue 13, item 8: fixing one field and failing another kept showing the first error."""
    app = open_crm_as("rep", "Deals", deal=str(planted_deal.id))

    def press(**values) -> list[str]:
        if "title" in values:
            next(box for box in app.text_input if box.label == "Title *").input(values["title"])
        if "amount" in values:
            next(box for box in app.number_input if box.label == "Amount ($)").set_value(values["amount"])
        next(button for button in app.button if button.label == "Save changes").click().run()
        return [error.value for error in app.error]

    assert press(title="  ", amount=-500.0) == ["Title is required. Amount must not be negative."]
    assert press(title="Stale-save check") == ["Amount must not be negative."]
    assert press(amount=12345.678) == []  # the field shows cents: 12345.68 is what the person saw, and is saved
    assert app.caption[0].value.startswith("Prospecting · $12.3K")
    assert "from 0 to 9,999,999,999,999.99" in next(box for box in app.number_input if box.label == "Amount ($)").help


def test_user_text_shows_literally_in_the_heading_the_board_and_the_toast(planted_deal) -> None:
    """Issue 13, item 12: titles were read as Markdown (links, colours, LaTeX)."""
    app = open_crm_as("rep", "Deals", deal=str(planted_deal.id))
    next(box for box in app.text_input if box.label == "Title *").input(PAYLOAD)
    next(button for button in app.button if button.label == "Save changes").click().run()
    assert not app.exception
    assert shown(app.subheader[0].value) == PAYLOAD
    assert [shown(toast.value) for toast in app.toast] == [f"Saved “{PAYLOAD}”."]
    board = open_crm_as("rep", "Pipeline")
    assert f"**{PAYLOAD}**" in [shown(markdown.value) for markdown in board.markdown]


def test_contacts_show_a_dash_for_what_is_missing_and_human_headers() -> None:
    """Issue 13, item 14: contacts' phone read "None"; headers read job_title."""
    app = open_crm_as("manager", "Contacts")
    frame = app.dataframe[0]
    headers = frame.proto.columns  # the column configuration, as sent to the browser
    for header in ("Name", "Email", "Phone", "Job title", "Company"):
        assert f'"label": "{header}"' in headers.replace('":"', '": "')
    values = frame.value.astype(str)
    assert not values.isin(["None", "nan", "NaT"]).any().any()


def test_deals_at_risk_show_all_their_columns_by_name() -> None:
    app = open_crm_as("manager", "Dashboard")
    at_risk = next(frame.value for frame in app.dataframe if "Why" in frame.value.columns)
    assert list(at_risk.columns) == ["Deal", "Company", "Amount", "Close date", "Owner", "Why"]
    assert not at_risk.astype(str).isin(["None", "nan", "NaT"]).any().any()


def test_who_is_ahead_and_the_team_filter_follow_roles() -> None:
    """Issue 13, item 7: managers ranked as reps; a marketer offered as a team."""
    app = open_crm_as("manager", "Dashboard")
    owner = app.selectbox(key="dash_owner")
    assert "Team of Nadia Rahman" not in owner.options
    assert "Team of Sophie Lambert" in owner.options


WHO_IS_AHEAD = "AS open_amount"  # what only the leaderboard's statement says (repository.owner_totals)
CHARTS = ("Pipeline by stage", "Won by month", "Revenue by industry", "Who is ahead", "Revenue by country")


def chart_kinds(app: AppTest) -> list[list[str]]:
    """The trace types of each Plotly chart on the page, in order."""
    return [[trace.get("type", "") for trace in json.loads(chart.proto.spec)["data"]]
            for chart in app.get("plotly_chart")]


def test_the_dashboard_draws_one_chart_the_one_chosen(statements) -> None:
    """Each chart costs the browser more than its data costs us: the dashboard opens on the funnel alone, a
    choice in the picker draws that chart instead, and the charts not shown are neither read nor built."""
    app = open_crm_as("manager", "Dashboard")
    picker = app.segmented_control(key=CHART_KEY)
    assert tuple(picker.options) == CHARTS
    assert picker.value == "Pipeline by stage"
    # The stages as HTML bars: opening the dashboard loads no chart library (neither Plotly nor Vega-Lite).
    assert chart_kinds(app) == [] and not app.get("vega_lite_chart")
    [stages] = [element.body for element in app.get("html")]
    assert stages.count('class="n360-stage"') == 5 and "Negotiation" in stages and " deals</div>" in stages
    st.cache_data.clear()
    statements.clear()
    app.run()
    sent = " ".join(statements)
    assert "FROM deal_stages" in sent  # the funnel's figures
    assert "GROUP BY industries.id" not in sent and "GROUP BY countries.id" not in sent  # industries, the map
    assert WHO_IS_AHEAD not in sent
    for choice, kinds in (("Won by month", ["bar", "scatter"]), ("Revenue by industry", ["bar"]),
                          ("Who is ahead", ["bar"]), ("Revenue by country", ["choropleth"])):
        app.segmented_control(key=CHART_KEY).set_value(choice).run()
        assert not app.exception
        assert chart_kinds(app) == [kinds], choice
    assert any("Why" in frame.value.columns for frame in app.dataframe)  # deals at risk stay under the chart


def test_board_cards_move_by_a_menu_of_the_other_stages_not_a_select_box() -> None:
    """A select box per card was most of the board's browser time; a menu button draws as a button."""
    board = open_crm_as("manager", "Pipeline")
    assert not board.exception
    menus = board.get("menu_button")
    assert menus and all(menu.proto.label == "Move to" for menu in menus)
    assert not [box for box in board.selectbox if box.label == "Move to"]
    options = [str(option) for option in menus[0].proto.options]  # the first card sits in Prospecting
    assert "Qualification" in "".join(options) and "Prospecting" not in "".join(options)


def test_the_board_shows_a_few_cards_per_stage_and_more_opens_the_deals_of_that_stage() -> None:
    """Each card costs the browser; the rest of a stage is one click away, on the Deals tab filtered by it."""
    from nexus360.ui.crm.board import CARDS_PER_STAGE

    board = open_crm_as("manager", "Pipeline")
    cards = [key for key in board.session_state if str(key).startswith("move_")]
    stages = [markdown.value for markdown in board.markdown if markdown.value.startswith("**")][:5]
    assert len(cards) <= CARDS_PER_STAGE * len(stages)
    more = next(button for button in board.button if button.key and button.key.startswith("more_"))
    stage_id = int(more.key.removeprefix("more_"))
    more.click().run()
    assert not board.exception
    assert board.session_state["crm_tab"] == "Deals"
    assert board.multiselect(key="deal_stages").value == [stage_id]
    listed = deals_table(board)
    assert len(listed) == PAGE_SIZE and listed["stage"].nunique() == 1


def test_the_dashboards_stage_industry_and_country_sit_in_one_popover_said_under_the_bar_when_chosen() -> None:
    app = open_crm_as("manager", "Dashboard")
    labels = [popover.proto.popover.label for popover in app.get("popover")]
    assert labels == ["Filters"]
    assert not [caption for caption in app.caption if caption.value.startswith("Filtered by")]
    everyone = {metric.label: metric.value for metric in app.metric}
    with session_scope(Database.CRM, admin=True) as session:
        industry = session.execute(select(Industry.id, Industry.name).order_by(Industry.id)).first()
        stage = session.execute(select(DealStage.id, DealStage.name).where(DealStage.name == "Proposal")).one()
    app.multiselect(key="dash_ind").set_value([industry.id]).run()
    app.multiselect(key="dash_stages").set_value([stage.id]).run()
    assert not app.exception
    assert [popover.proto.popover.label for popover in app.get("popover")] == ["Filters (2)"]
    [summary] = [caption.value for caption in app.caption if caption.value.startswith("Filtered by")]
    assert shown(summary) == f"Filtered by stage: Proposal · industry: {industry.name}"
    narrowed = {metric.label: metric.value for metric in app.metric}
    assert narrowed["Open pipeline"] != everyone["Open pipeline"]


def test_an_industry_chosen_for_the_first_time_sends_at_most_ten_statements() -> None:
    """Each figure read cold sends its transaction's settings and its own query; the stages come from the page's
    cache, not again with every read (issue 12: no rerun sends more than 10 statements)."""
    app = open_crm_as("manager", "Dashboard")
    with session_scope(Database.CRM, admin=True) as session:
        industry = session.execute(select(Industry.id).order_by(Industry.id.desc())).scalar()
    with sql_sent() as seen:
        app.multiselect(key="dash_ind").set_value([industry]).run()
    assert not app.exception
    assert 0 < len(seen) <= 10, seen
    assert not [statement for statement in seen if "FROM deal_stages" in statement]


def test_the_filters_summary_shows_names_as_written() -> None:
    from nexus360.ui.crm.dashboard import filters_summary

    assert shown(filters_summary({"Stage": [], "Industry": [PAYLOAD]})) == f"Filtered by industry: {PAYLOAD}"
    many = filters_summary({"Stage": ["Proposal"], "Country": [f"Country {n}" for n in range(8)]})
    assert many == ("Filtered by stage: Proposal · country: Country 0, Country 1, Country 2, Country 3, Country 4 "
                    "and 3 more")


def test_a_deal_whose_close_date_passed_is_flagged_on_its_board_card() -> None:
    """The demo's slipped deals (earlier this month, late stages) sort first in their columns."""
    board = open_crm_as("manager", "Pipeline")
    flagged = [caption.value for caption in board.caption if "was due" in caption.value]
    assert bool(flagged) == (today_utc().day != 1)
    assert all(":orange[" in caption for caption in flagged)
    assert not any("closes" in caption for caption in flagged)


def test_a_rep_picks_who_is_ahead_and_sees_their_rank_not_colleagues_revenue() -> None:
    app = open_crm_as("rep", "Dashboard")
    app.segmented_control(key=CHART_KEY).set_value("Who is ahead").run()
    assert not app.exception
    assert chart_kinds(app) == []
    assert any(metric.label.startswith("Your rank") for metric in app.metric)


# --- deep links -----------------------------------------------------------------------------------


def test_an_address_opens_a_deal(planted_deal) -> None:
    app = open_crm_as("manager", "Deals", deal=str(planted_deal.id))
    assert not app.exception
    assert shown(app.subheader[0].value) == "Stale-save check"


def test_an_address_naming_only_the_deal_opens_the_deals_tab(planted_deal) -> None:
    app = open_crm_as("manager", deal=str(planted_deal.id))
    assert app.session_state["crm_tab"] == "Deals"
    assert shown(app.subheader[0].value) == "Stale-save check"


def test_an_address_opens_a_company() -> None:
    with session_scope(Database.CRM, admin=True) as session:
        company_id, name = session.execute(select(Company.id, Company.name).order_by(Company.id).limit(1)).one()
    app = open_crm_as("rep", "Companies", company=str(company_id))
    assert not app.exception
    assert shown(app.subheader[0].value) == name


def test_an_address_naming_a_deal_that_is_gone_says_so() -> None:
    app = open_crm_as("manager", "Deals", deal="987654321")
    assert any("does not exist" in error.value for error in app.error)


# --- companies -------------------------------------------------------------------------------------


def test_a_likely_duplicate_company_is_saved_only_after_a_second_press() -> None:
    from sqlalchemy import delete

    with session_scope(Database.CRM, admin=True) as session:
        existing = session.scalars(select(Company.name).order_by(Company.id).limit(1)).one()
        count = session.scalar(select(func.count()).where(Company.name == existing))
    app = open_as("manager", "crm")
    app.session_state["crm_tab"] = "Companies"
    app.session_state["new_company_open"] = True
    app.run()
    next(box for box in app.text_input if box.label == "Name *").input(existing)
    next(button for button in app.button if button.label == "Create company").click().run()
    warning = next(warning.value for warning in app.warning if "Possible duplicate" in warning.value)
    assert f"“{existing}”" in shown(warning)
    next(button for button in app.button if button.label == "Create company").click().run()
    assert not app.exception
    with session_scope(Database.CRM, admin=True) as session:
        assert session.scalar(select(func.count()).where(Company.name == existing)) == count + 1
        newest = session.scalar(select(func.max(Company.id)).where(Company.name == existing))
        session.execute(delete(Company).where(Company.id == newest))


def another_manager(manager):
    """Another active sales manager, as the sign-in gate would load them (same permissions as `manager`)."""
    from nexus360.auth import service as auth_service
    from nexus360.auth.users import service as people

    with session_scope(Database.AUTH) as session:
        ids = [user_id for user_id, *_rest in people.list_people(session, manager, roles=("sales_manager",))]
        colleague = auth_service.get_principal(session, next(user_id for user_id in ids if user_id != manager.id))
    assert colleague.permissions == manager.permissions
    return colleague


def test_dashboard_figures_are_shared_by_everyone_with_the_same_permissions(statements, monkeypatch) -> None:
    """One manager's cold dashboard serves the next manager: the aggregates are keyed by permissions, not by
    person (the leaderboard and the owner choices stay per person). Without warm-ups (tests/pages/test_warming.py),
    which would compute the second manager's leaderboard before the page asks."""
    monkeypatch.setattr(warming, "enabled", False)
    first = open_as("manager")
    st.cache_data.clear()
    first.switch_page("pages/crm.py")
    first.run()
    for chart in CHARTS:  # every chart of the picker, each read once
        first.segmented_control(key=CHART_KEY).set_value(chart).run()
    colleague = another_manager(first.session_state["principal"])  # a real user: the gate checks every rerun
    second = AppTest.from_file(first._script_path, default_timeout=60)
    second.session_state["principal"] = colleague
    second.run()
    second.switch_page("pages/crm.py")
    statements.clear()
    second.run()
    for chart in CHARTS:
        second.segmented_control(key=CHART_KEY).set_value(chart).run()
    assert not second.exception
    deal_reads = [statement for statement in statements if "deals." in statement]
    assert deal_reads  # "Who is ahead" is read for this person
    assert all(WHO_IS_AHEAD in statement for statement in deal_reads)  # and nothing else


@pytest.mark.parametrize("username", ["manager", "rep", "marketer"])
def test_every_benchmarked_interaction_runs_for_every_role(username: str) -> None:
    """`bench pages` drives these; each must work for every role that opens the page."""
    from nexus360.bench.pages import INTERACTIONS

    app = open_crm_as(username)
    for name, interaction in INTERACTIONS["crm"].items():
        for _ in range(2):  # each alternates between two states
            interaction(app)
            app.run()
            assert not app.exception, f"{name}: {app.exception[0].value}"
