"""Commissions page under AppTest: a rep sees only their own figures, a manager the team, a marketer nothing;
an invalid rule shows the service's message and saves nothing.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, or_, select
from streamlit.testing.v1 import AppTest

from nexus360.auth.users import service as users
from nexus360.common.periods import Period
from nexus360.compensation import flows
from nexus360.compensation.models import (
    CommissionDispute,
    CommissionEvent,
    CommissionLine,
    CommissionRule,
    SalesPerformance,
)
from nexus360.config import PROJECT_ROOT
from nexus360.crm.models import Deal
from nexus360.db import Database, session_scope
from nexus360.notifications.models import Notification
from nexus360.ui import navigation
from tests.pages.apptest import open_as, principal_for

pytestmark = pytest.mark.usefixtures("seeded")
REP_ID, OTHER_REPS = 10, (7, 8, 11, 12)  # managers may appear as approvers in the history


def open_commissions_as(username: str) -> AppTest:
    return open_as(username, "compensation")


def visible_text(app: AppTest) -> str:
    """Everything a person can read on the page, as one string (tables included)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title", "subheader"):
        parts += [str(element.value) for element in getattr(app, kind)]
    parts += [f"{metric.label} {metric.value}" for metric in app.metric]
    parts += [frame.value.to_csv() for frame in app.dataframe]
    for box in [*app.selectbox, *app.multiselect]:
        parts += [str(option) for option in box.options]
    parts += [expander.label for expander in app.expander]
    return "\n".join(parts)


def seller_names(user_ids) -> dict[int, str]:
    with session_scope(Database.AUTH, admin=True) as session:
        return users.get_user_names(session, principal_for("admin"), user_ids=user_ids)


def test_rep_sees_their_own_earnings_and_statement_only() -> None:
    app = open_commissions_as("rep")
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["My commission", "Rules"]
    labels = [metric.label for metric in app.metric]
    assert "Commission this year" in labels and "Attainment" in labels
    lines = next(frame.value for frame in app.dataframe if "Why" in frame.value.columns or "Explanation"
                 in frame.value.columns)
    deal_ids = {int(found) for why in lines["Explanation"] for found in re.findall(r"deal #(\d+)", why)}
    assert deal_ids
    with session_scope(Database.CRM, admin=True) as session:
        owners = set(session.scalars(select(Deal.owner_id).where(Deal.id.in_(deal_ids))))
    assert owners <= {REP_ID}
    text = visible_text(app)
    for name in seller_names(OTHER_REPS).values():
        assert name not in text


def test_rep_statement_lines_add_up_to_the_commission() -> None:
    app = open_commissions_as("rep")
    assert any(" up to **$" in caption.value for caption in app.caption)
    assert not any("Please tell your manager" in warning.value for warning in app.warning)


def test_manager_sees_the_team_table_and_charts() -> None:
    app = open_commissions_as("manager")
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["Team", "Rules", "My statement"]
    team = next(frame.value for frame in app.dataframe if "Rep" in frame.value.columns)
    assert {"Revenue", "Quota", "Attainment", "Commission", "Status", "Open disputes"} <= set(team.columns)
    assert len(set(team["Rep"])) > 1
    assert len(app.get("plotly_chart")) >= 2
    assert any(button.label == "Run period" for button in app.button)


def test_manager_opens_a_reps_statement_with_its_actions() -> None:
    app = open_commissions_as("manager")
    rep_name = seller_names([REP_ID])[REP_ID]
    app.selectbox(key="team_rep").set_value(REP_ID).run()
    assert not app.exception
    assert any(" up to **$" in caption.value for caption in app.caption)
    assert any(markdown.value.startswith("**Actions**") for markdown in app.markdown)
    assert rep_name in app.selectbox(key="team_rep").format_func(REP_ID)


def test_marketer_is_refused() -> None:
    marketer = principal_for("marketer")
    assert "commissions" not in [page.url_path for page in navigation.allowed_pages(marketer)]
    # Home.py registers only a refusal for the marketer; the page script itself refuses as well.
    app = AppTest.from_file(str(PROJECT_ROOT / "pages" / "compensation.py"), default_timeout=60)
    app.session_state["principal"] = marketer
    app.run()
    assert not app.exception
    assert any("do not have access" in warning.value for warning in app.warning)
    assert not app.dataframe and not app.metric


def test_rules_are_described_in_plain_words_to_a_rep_without_an_editor() -> None:
    app = open_commissions_as("rep")
    with session_scope(Database.COMPENSATION, admin=True) as session:
        rules = session.scalar(select(func.count()).select_from(CommissionRule))
    described = [markdown.value for markdown in app.markdown if "\nPays " in markdown.value]
    assert len(described) == rules
    assert not any(button.label == "Create rule" for button in app.button)


def test_a_rule_with_invalid_criteria_shows_the_message_and_saves_nothing() -> None:
    with session_scope(Database.COMPENSATION, admin=True) as session:
        before = session.scalar(select(func.count()).select_from(CommissionRule))
    app = open_commissions_as("manager")
    app.text_input(key="rule_new_name").input("Broken rule")
    app.number_input(key="rule_new_min_amount").set_value(50_000.0)
    app.number_input(key="rule_new_max_amount").set_value(10_000.0)
    next(button for button in app.button if button.label == "Create rule").click().run()
    assert not app.exception
    assert any("Minimum amount must not be above the maximum amount" in error.value for error in app.error)
    with session_scope(Database.COMPENSATION, admin=True) as session:
        assert session.scalar(select(func.count()).select_from(CommissionRule)) == before


def test_a_dispute_needs_a_comment() -> None:
    app = open_commissions_as("rep")
    next(button for button in app.button if button.label == "Send dispute").click().run()
    assert not app.exception
    assert any("Please say what is wrong with this line" in error.value for error in app.error)


def test_sending_back_needs_a_comment_and_changes_nothing() -> None:
    with session_scope(Database.COMPENSATION, admin=True) as session:
        pending = session.execute(select(SalesPerformance.user_id, SalesPerformance.period_start).where(
            SalesPerformance.status == "pending_approval").order_by(SalesPerformance.period_start.desc())).first()
    assert pending is not None, "the demo data has statements awaiting approval"
    app = open_commissions_as("manager")
    app.selectbox(key="team_rep").set_value(pending.user_id).run()
    next(button for button in app.button if button.label == "Send back to draft").click().run()
    assert not app.exception
    assert any("Say why you send the statement back" in error.value for error in app.error)
    with session_scope(Database.COMPENSATION, admin=True) as session:
        status = session.scalar(select(SalesPerformance.status).where(
            SalesPerformance.user_id == pending.user_id, SalesPerformance.period_start == pending.period_start))
    assert status == "pending_approval"


def test_a_rep_disputes_a_line_and_the_manager_rejects_it_with_an_answer() -> None:
    marker = "AppTest dispute: this deal closed a month later."
    answer = "AppTest answer: the close date on the deal is in this period."
    try:
        app = open_commissions_as("rep")
        app.text_area(key="mine_statement_dispute_comment").input(marker)
        next(button for button in app.button if button.label == "Send dispute").click().run()
        assert not app.exception
        assert any("Your dispute was sent" in success.value for success in app.success)
        with session_scope(Database.COMPENSATION, admin=True) as session:
            dispute = session.scalars(select(CommissionDispute).where(CommissionDispute.comment == marker)).one()
            assert (dispute.user_id, dispute.status) == (REP_ID, "open")

        manager = open_commissions_as("manager")
        assert any(marker in markdown.value.replace("\\", "") for markdown in manager.markdown)
        manager.text_area(key=f"resolve_text_{dispute.id}").input(answer)
        next(button for button in manager.button if button.label == "Reject").click().run()
        assert not manager.exception
        assert any("Dispute rejected" in success.value for success in manager.success)
        with session_scope(Database.COMPENSATION, admin=True) as session:
            assert session.get(CommissionDispute, dispute.id).status == "rejected"
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.execute(delete(CommissionDispute).where(CommissionDispute.comment == marker))
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(delete(Notification).where(
                or_(Notification.message.contains(marker), Notification.message.contains(answer))))


def test_a_rep_exports_their_statement() -> None:
    app = open_commissions_as("rep")
    next(button for button in app.button if button.label == "Export…").click().run()
    assert not app.exception
    assert any("rows, as filtered" in caption.value for caption in app.caption)


def test_a_valid_rule_is_saved_and_described_in_plain_words() -> None:
    name = "AppTest rule: 2% of deals over $50,000"
    try:
        app = open_commissions_as("manager")
        app.text_input(key="rule_new_name").input(name)
        app.number_input(key="rule_new_rate").set_value(2.0)
        app.number_input(key="rule_new_min_amount").set_value(50_000.0)
        next(button for button in app.button if button.label == "Create rule").click().run()
        assert not app.exception
        assert any("Pays 2% of each won deal over $50,000" in success.value.replace("\\", "")
                   for success in app.success)
        with session_scope(Database.COMPENSATION, admin=True) as session:
            rule = session.scalars(select(CommissionRule).where(CommissionRule.name == name)).one()
            assert (rule.type, rule.criteria) == ("flat", {"min_amount": 50000})
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.execute(delete(CommissionRule).where(CommissionRule.name == name))


def test_an_existing_tiered_rule_opens_in_the_editor() -> None:
    app = open_commissions_as("manager")
    with session_scope(Database.COMPENSATION, admin=True) as session:
        tiered = session.scalars(select(CommissionRule).where(CommissionRule.type == "tiered")).first()
    app.selectbox(key="rule_choice").set_value(tiered.id).run()
    assert not app.exception
    assert app.text_input(key=f"rule_{tiered.id}_name").value == tiered.name
    assert any(button.label == "Save changes" for button in app.button)


def test_running_a_locked_period_says_why_and_changes_nothing() -> None:
    with session_scope(Database.COMPENSATION, admin=True) as session:
        start, end = session.execute(select(SalesPerformance.period_start, SalesPerformance.period_end).where(
            SalesPerformance.status == "paid").order_by(SalesPerformance.period_start.desc())).first()
        updated = session.scalar(select(func.max(SalesPerformance.updated_at)))
    app = open_commissions_as("manager")
    app.text_input(key="run_period_text").input(Period(start, end).code)
    next(button for button in app.button if button.label == "Run period").click().run()
    assert not app.exception
    assert any(f"Period {Period(start, end).code} is locked" in error.value for error in app.error)
    with session_scope(Database.COMPENSATION, admin=True) as session:
        assert session.scalar(select(func.max(SalesPerformance.updated_at))) == updated


def test_what_if_shows_what_closing_open_deals_would_add() -> None:
    first_deal = flows.open_deals_for(principal_for("rep"), user_id=REP_ID)[0].id
    app = open_commissions_as("rep")
    app.multiselect(key="mine_whatif_deals").set_value([first_deal]).run()
    assert not app.exception
    assert any("If these close today, you earn" in success.value for success in app.success)
    assert "You would earn" in [metric.label for metric in app.metric]


def test_an_adjustment_from_the_page_notifies_the_rep() -> None:
    """The adjustment form goes through the flow: the line is added, the history says so, the rep is told."""
    reason = "AppTest adjustment: partner share refunded"
    with session_scope(Database.COMPENSATION, admin=True) as session:
        statement = session.scalars(select(SalesPerformance).where(SalesPerformance.status == "approved")
                                    .order_by(SalesPerformance.period_start.desc(), SalesPerformance.user_id)).first()
        assert statement is not None, "the demo data has approved statements"
        performance_id, rep_id, commission = statement.id, statement.user_id, statement.commission
        period = Period(statement.period_start, statement.period_end).code
    try:
        app = open_commissions_as("manager")
        app.selectbox(key="team_period").set_value(period).run()
        app.selectbox(key="team_rep").set_value(rep_id).run()
        next(box for box in app.number_input if box.label == "Amount ($) *").set_value(-125.0)
        next(box for box in app.text_input if box.label == "Reason *").input(reason)
        next(button for button in app.button if button.label == "Add adjustment").click().run()
        assert not app.exception
        assert any("Adjustment of $-125.00 added" in success.value.replace("\\", "") for success in app.success)
        with session_scope(Database.COMPENSATION, admin=True) as session:
            assert session.get(SalesPerformance, performance_id).commission == commission - 125
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            told = session.scalars(select(Notification).where(
                Notification.user_id == rep_id, Notification.message.contains(reason))).all()
        assert [(note.type, note.title) for note in told] == [
            ("commission", f"Your {period} commission statement was adjusted")]
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.execute(delete(CommissionLine).where(CommissionLine.performance_id == performance_id,
                                                         CommissionLine.reason == reason))
            session.execute(delete(CommissionEvent).where(CommissionEvent.performance_id == performance_id,
                                                          CommissionEvent.comment.contains(reason)))
            session.get(SalesPerformance, performance_id).commission = commission
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(delete(Notification).where(Notification.message.contains(reason)))
