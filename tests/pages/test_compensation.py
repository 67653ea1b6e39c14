"""Commissions page under AppTest: a rep sees only their own figures, a manager the team, a marketer nothing;
an invalid rule shows the service's message and saves nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

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
from nexus360.ui.compensation import team as team_view
from tests.pages.apptest import open_as, principal_for, shown

pytestmark = pytest.mark.usefixtures("seeded")
REP_ID, OTHER_REPS = 10, (7, 8, 11, 12)  # managers may appear as approvers in the history


def open_commissions_as(username: str, tab: str | None = None) -> AppTest:
    app = open_as(username, "compensation")
    if tab is not None:
        app.session_state["commissions_tab"] = tab
        app.run()
    return app


def errors(app: AppTest) -> list[str]:
    return [shown(error.value) for error in app.error]


def successes(app: AppTest) -> list[str]:
    return [shown(success.value) for success in app.success]


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
    lines = next(frame.value for frame in app.dataframe if "Explanation" in frame.value.columns)
    with session_scope(Database.COMPENSATION, admin=True) as session:
        deal_ids = set(session.scalars(select(CommissionLine.deal_id).join(SalesPerformance).where(
            SalesPerformance.user_id == REP_ID, CommissionLine.deal_id.is_not(None))))
    with session_scope(Database.CRM, admin=True) as session:
        owners = set(session.scalars(select(Deal.owner_id).where(Deal.id.in_(deal_ids))))
        titles = set(session.scalars(select(Deal.title).where(Deal.id.in_(deal_ids))))
    assert owners <= {REP_ID}
    assert set(lines["Deal"]) - {""} <= titles
    text = visible_text(app)
    for name in seller_names(OTHER_REPS).values():
        assert name not in text


def test_rep_statement_lines_add_up_to_the_commission() -> None:
    app = open_commissions_as("rep")
    assert any(" up to **$" in shown(caption.value) for caption in app.caption)
    assert not any("Please tell your manager" in warning.value for warning in app.warning)


def compact(spec: str) -> str:
    return spec.replace(" ", "")


def test_manager_sees_the_team_table_and_charts() -> None:
    app = open_commissions_as("manager")
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["Team", "Rules"]  # a manager is no rep: no statement of their own
    team = next(frame.value for frame in app.dataframe if "Rep" in frame.value.columns)
    assert {"Revenue", "Quota", "Attainment", "Commission", "Status", "Open disputes"} <= set(team.columns)
    assert len(set(team["Rep"])) > 1
    assert any(button.label == "Run period" for button in app.button)
    # One chart area, none drawn at first (each costs the browser ~0.1 s; the table shows revenue against quota):
    # the chosen chart is drawn, the other is not built; in Vega-Lite, so the page loads no Plotly.
    assert app.segmented_control(key=team_view.CHART_KEY).value is None
    assert not app.get("vega_lite_chart") and any(caption.value.startswith("Pick a chart") for caption in app.caption)
    app.segmented_control(key=team_view.CHART_KEY).set_value("Earned vs quota").run()
    assert not app.get("plotly_chart")
    charts = [compact(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    assert len(charts) == 1 and '"field":"rep"' in charts[0] and '"Quota"' in charts[0]
    app.segmented_control(key=team_view.CHART_KEY).set_value("Team commission by period").run()
    assert not app.exception
    charts = [compact(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    assert len(charts) == 1 and '"aggregate":"sum"' in charts[0] and '"field":"rep"' not in charts[0]


def test_manager_opens_a_reps_statement_with_its_actions() -> None:
    app = open_commissions_as("manager")
    rep_name = seller_names([REP_ID])[REP_ID]
    app.selectbox(key="team_rep").set_value(REP_ID).run()
    assert not app.exception
    assert any(" up to **$" in shown(caption.value) for caption in app.caption)
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
    app = open_commissions_as("rep", "Rules")
    with session_scope(Database.COMPENSATION, admin=True) as session:
        rules = session.scalar(select(func.count()).select_from(CommissionRule))
    described = [markdown.value for markdown in app.markdown if "\nPays " in markdown.value]
    assert len(described) == rules
    assert not any(button.label == "Create rule" for button in app.button)


def test_a_rule_with_invalid_criteria_shows_the_message_and_saves_nothing() -> None:
    with session_scope(Database.COMPENSATION, admin=True) as session:
        before = session.scalar(select(func.count()).select_from(CommissionRule))
    app = open_commissions_as("manager", "Rules")
    app.text_input(key="rule_new_0_name").input("Broken rule")
    app.number_input(key="rule_new_0_min_amount").set_value(50_000.0)
    app.number_input(key="rule_new_0_max_amount").set_value(10_000.0)
    next(button for button in app.button if button.label == "Create rule").click().run()
    assert not app.exception
    assert any("Minimum amount must not be above the maximum amount" in error for error in errors(app))
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
        app.text_area(key="mine_statement_dispute_0_comment").input(marker)
        next(button for button in app.button if button.label == "Send dispute").click().run()
        assert not app.exception
        assert any("Your dispute was sent" in success for success in successes(app))
        assert app.text_area(key="mine_statement_dispute_1_comment").value in ("", None)  # the form starts again
        with session_scope(Database.COMPENSATION, admin=True) as session:
            dispute = session.scalars(select(CommissionDispute).where(CommissionDispute.comment == marker)).one()
            assert (dispute.user_id, dispute.status) == (REP_ID, "open")

        manager = open_commissions_as("manager")
        assert any(marker in markdown.value.replace("\\", "") for markdown in manager.markdown)
        manager.text_area(key=f"resolve_text_{dispute.id}").input(answer)
        next(button for button in manager.button if button.label == "Reject").click().run()
        assert not manager.exception
        assert any("Dispute rejected" in success for success in successes(manager))
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
    assert any("rows, as filtered" in shown(caption.value) for caption in app.caption)


def test_a_valid_rule_is_saved_and_described_in_plain_words() -> None:
    name = "AppTest rule: 2% of deals over $50,000"
    try:
        app = open_commissions_as("manager", "Rules")
        app.text_input(key="rule_new_0_name").input(name)
        app.number_input(key="rule_new_0_rate").set_value(2.0)
        app.number_input(key="rule_new_0_min_amount").set_value(50_000.0)
        next(button for button in app.button if button.label == "Create rule").click().run()
        assert not app.exception
        assert any("Pays 2% of each won deal over $50,000" in success for success in successes(app))
        with session_scope(Database.COMPENSATION, admin=True) as session:
            rule = session.scalars(select(CommissionRule).where(CommissionRule.name == name)).one()
            assert (rule.type, rule.criteria) == ("flat", {"min_amount": 50000})
        # The editor now shows the saved rule as it is stored; a new rule's form starts empty.
        assert app.selectbox(key="rule_choice").value == rule.id
        edit = next(box for box in app.text_input if box.key and box.key.startswith(f"rule_{rule.id}_"))
        assert edit.value == name
        app.selectbox(key="rule_choice").set_value(0).run()
        assert app.text_input(key="rule_new_1_name").value == ""
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.execute(delete(CommissionRule).where(CommissionRule.name == name))


def test_an_existing_tiered_rule_opens_in_the_editor() -> None:
    app = open_commissions_as("manager", "Rules")
    with session_scope(Database.COMPENSATION, admin=True) as session:
        tiered = session.scalars(select(CommissionRule).where(CommissionRule.type == "tiered")).first()
    app.selectbox(key="rule_choice").set_value(tiered.id).run()
    assert not app.exception
    name = next(box for box in app.text_input if box.key and box.key.startswith(f"rule_{tiered.id}_")
                and box.key.endswith("_name"))
    assert name.value == tiered.name
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
    assert any(f"Period {Period(start, end).code} is locked" in error for error in errors(app))
    with session_scope(Database.COMPENSATION, admin=True) as session:
        assert session.scalar(select(func.max(SalesPerformance.updated_at))) == updated


def test_what_if_shows_what_closing_open_deals_would_add() -> None:
    first_deal = flows.open_deals_for(principal_for("rep"), user_id=REP_ID)[0].id
    app = open_commissions_as("rep")
    assert not [box for box in app.multiselect if box.key == "mine_whatif_deals"]  # closed: nothing read
    app.session_state["mine_whatif_open"] = True
    app.run()
    app.multiselect(key="mine_whatif_deals").set_value([first_deal]).run()
    assert not app.exception
    assert any("If these close today, you earn" in success for success in successes(app))
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
        period_label = Period(statement.period_start, statement.period_end).label
    try:
        app = open_commissions_as("manager")
        app.selectbox(key="team_period").set_value(period).run()
        app.selectbox(key="team_rep").set_value(rep_id).run()
        next(box for box in app.number_input if box.label == "Amount ($) *").set_value(-125.0)
        next(box for box in app.text_input if box.label == "Reason *").input(reason)
        next(button for button in app.button if button.label == "Add adjustment").click().run()
        assert not app.exception
        assert any("Adjustment of $-125.00 added" in success for success in successes(app))
        with session_scope(Database.COMPENSATION, admin=True) as session:
            assert session.get(SalesPerformance, performance_id).commission == commission - 125
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            told = session.scalars(select(Notification).where(
                Notification.user_id == rep_id, Notification.message.contains(reason))).all()
        assert [(note.type, note.title) for note in told] == [
            ("statement_adjusted", f"Your {period_label} commission statement was adjusted")]
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.execute(delete(CommissionLine).where(CommissionLine.performance_id == performance_id,
                                                         CommissionLine.reason == reason))
            session.execute(delete(CommissionEvent).where(CommissionEvent.performance_id == performance_id,
                                                          CommissionEvent.comment.contains(reason)))
            session.get(SalesPerformance, performance_id).commission = commission
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(delete(Notification).where(Notification.message.contains(reason)))


# --- issue 13 on the Commissions page ---------------------------------------------------------------------


def latest_period_with(status: str) -> tuple:
    with session_scope(Database.COMPENSATION, admin=True) as session:
        return session.execute(select(SalesPerformance.period_start, SalesPerformance.period_end).where(
            SalesPerformance.status == status).order_by(SalesPerformance.period_start.desc())).first()


def metric(app: AppTest, label: str) -> str:
    return next(str(item.value) for item in app.metric if item.label == label)


def test_the_period_picker_shows_codes_and_its_summary_agrees_with_the_tiles_after_an_approval() -> None:
    """Item 2: a keyed select box kept its old option wording in the browser; options are plain codes now, and
    the status summary beside them comes from the same rows as the tiles."""
    start, end = latest_period_with("pending_approval")
    code = Period(start, end).code
    with session_scope(Database.COMPENSATION, admin=True) as session:
        pending = session.scalars(select(SalesPerformance).where(
            SalesPerformance.period_start == start, SalesPerformance.status == "pending_approval")).first()
        performance_id, rep_id = pending.id, pending.user_id
    started = datetime.now(UTC).replace(tzinfo=None)
    try:
        app = open_commissions_as("manager")
        app.selectbox(key="team_period").set_value(code).run()
        assert all(re.fullmatch(r"\d{4}-(Q[1-4]|\d{2})", option) for option in app.selectbox(key="team_period").options)
        waiting = int(metric(app, "Awaiting approval"))
        assert any(f"{waiting} awaiting approval" in caption.value for caption in app.caption)
        flows.approve(principal_for("manager"), user_id=rep_id, period_start=start, period_end=end)
        app.run()
        assert int(metric(app, "Awaiting approval")) == waiting - 1
        summary = next(caption.value for caption in app.caption if "statements:" in caption.value)
        assert (f"{waiting - 1} awaiting approval" in summary) if waiting > 1 else ("awaiting" not in summary)
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.get(SalesPerformance, performance_id).status = "pending_approval"
            session.execute(delete(CommissionEvent).where(CommissionEvent.performance_id == performance_id,
                                                          CommissionEvent.created_at >= started))
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(delete(Notification).where(Notification.user_id == rep_id,
                                                       Notification.created_at >= started))


@pytest.mark.parametrize(("period", "says"), [
    ("2099-Q1", "2099-Q1 has not started yet: the latest period you can run is"),
    ("1999-Q1", "1999-Q1 ends before the first won deal"),
    ("abc", "Period 'abc' is not valid"),
])
def test_running_a_period_without_possible_data_says_why_and_changes_nothing(period: str, says: str) -> None:
    """Item 4: periods before the first won deal or not started yet are refused with a sentence."""
    with session_scope(Database.COMPENSATION, admin=True) as session:
        before = session.scalar(select(func.count()).select_from(SalesPerformance))
    app = open_commissions_as("manager")
    app.text_input(key="run_period_text").input(period)
    next(button for button in app.button if button.label == "Run period").click().run()
    assert not app.exception
    assert any(says in error for error in errors(app))
    assert app.text_input(key="run_period_text").max_chars == 7
    with session_scope(Database.COMPENSATION, admin=True) as session:
        assert session.scalar(select(func.count()).select_from(SalesPerformance)) == before


def test_managers_are_not_counted_as_reps() -> None:
    """Item 7: Daniel Okafor and Sophie Lambert lead teams; roles say they are not reps."""
    with session_scope(Database.AUTH, admin=True) as session:
        managers = {person.name for person in users.list_people(session, principal_for("admin"),
                                                                roles=["sales_manager"], active_only=False)}
    assert {"Daniel Okafor", "Sophie Lambert"} <= managers
    app = open_commissions_as("manager")
    for code in app.selectbox(key="team_period").options[:3]:
        app.selectbox(key="team_period").set_value(code).run()
        team = next(frame.value for frame in app.dataframe if "Rep" in frame.value.columns)
        assert not managers & set(team["Rep"])
        assert set(app.selectbox(key="team_rep").options).isdisjoint(managers)


def test_the_rule_form_names_what_is_wrong_with_the_current_input() -> None:
    """Item 8: blank name, then a name and rate 150: the message is about the rate, not the name."""
    app = open_commissions_as("manager", "Rules")
    next(button for button in app.button if button.label == "Create rule").click().run()
    assert errors(app) == ["Name is required."]
    app.text_input(key="rule_new_0_name").input("Too generous")
    app.number_input(key="rule_new_0_rate").set_value(150.0)
    next(button for button in app.button if button.label == "Create rule").click().run()
    assert not app.exception
    [message] = errors(app)
    assert "Rate must be a percentage between 0 and 100 (not 150)" in message and "Name" not in message
    app.text_input(key="rule_new_0_name").input("")
    app.number_input(key="rule_new_0_min_amount").set_value(-5.0)
    next(button for button in app.button if button.label == "Create rule").click().run()
    [message] = errors(app)
    assert "Name is required." in message and "Rate must be" in message and "Minimum deal amount" in message
    assert "0 to 100" in app.number_input(key="rule_new_0_rate").help


def test_comments_and_reasons_are_limited_on_the_widgets() -> None:
    """Item 10: a 5,000-character comment cannot be typed; the service refuses it too (statements tests)."""
    start, end = latest_period_with("pending_approval")
    with session_scope(Database.COMPENSATION, admin=True) as session:
        pending = session.scalars(select(SalesPerformance).where(
            SalesPerformance.period_start == start, SalesPerformance.status == "pending_approval")).first()
    app = open_commissions_as("manager")
    app.selectbox(key="team_period").set_value(Period(start, end).code).run()
    app.selectbox(key="team_rep").set_value(pending.user_id).run()
    assert app.text_area(key=f"send_back_{pending.id}_why").max_chars == 1000
    assert all(area.max_chars for area in app.text_area)
    approved_start, approved_end = latest_period_with("approved")
    with session_scope(Database.COMPENSATION, admin=True) as session:
        approved = session.scalars(select(SalesPerformance).where(
            SalesPerformance.period_start == approved_start, SalesPerformance.status == "approved")).first()
    app.selectbox(key="team_period").set_value(Period(approved_start, approved_end).code).run()
    app.selectbox(key="team_rep").set_value(approved.user_id).run()
    assert app.text_input(key=f"adjust_{approved.id}_0_reason").max_chars == 500


def test_statements_and_disputes_name_deals_not_ids() -> None:
    """Item 13: the Why column and the disputed line say the deal's title, never 'deal #1607'."""
    rep = open_commissions_as("rep")
    lines = next(frame.value for frame in rep.dataframe if "Explanation" in frame.value.columns)
    assert not any("#" in why for why in lines["Explanation"])
    manager = open_commissions_as("manager")
    disputed = [shown(caption.value) for caption in manager.caption if caption.value.startswith("Disputed line")]
    assert disputed and all("“" in text and "#" not in text for text in disputed)
    assert not any(re.search(r"\bline \d+", shown(markdown.value)) for markdown in manager.markdown)


def test_a_manager_sees_my_statement_only_when_they_have_one() -> None:
    """Item 16: a manager (not a rep) has no statement, so no empty 'My statement' tab; with one, it is there."""
    manager = principal_for("manager")
    assert [tab.label for tab in open_commissions_as("manager").tabs] == ["Team", "Rules"]
    start, end = latest_period_with("paid")
    with session_scope(Database.COMPENSATION, admin=True) as session:
        planted = SalesPerformance(user_id=manager.id, period_start=start, period_end=end, revenue=0, commission=0,
                                   status="paid")
        session.add(planted)
        session.flush()
        planted_id = planted.id
    try:
        app = open_commissions_as("manager", "My statement")
        assert [tab.label for tab in app.tabs] == ["Team", "Rules", "My statement"]
        assert any("no lines" in info.value for info in app.info)
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.execute(delete(SalesPerformance).where(SalesPerformance.id == planted_id))


@pytest.fixture
def newcomer():
    """A real rep with no statements (the sign-in gate re-reads the principal on every run: it must exist)."""
    from sqlalchemy import text

    from nexus360.auth import service as auth_service

    with session_scope(Database.AUTH, admin=True) as session:
        user_id = session.execute(text(
            "INSERT INTO users (azure_id, email, first_name, last_name, is_active) VALUES "
            "('local:newcomer-test', 'new.rep@nexus360.example.com', 'New', 'Rep', true) RETURNING id")).scalar_one()
        session.execute(text("INSERT INTO user_roles (user_id, role_id) SELECT :u, id FROM roles "
                             "WHERE name = 'sales_rep'"), {"u": user_id})
    with session_scope(Database.AUTH) as session:
        yield auth_service.get_principal(session, user_id)
    with session_scope(Database.AUTH, admin=True) as session:
        for table in ("audit_events", "user_sessions", "user_roles"):
            session.execute(text(f"DELETE FROM {table} WHERE user_id = :u"), {"u": user_id})
        session.execute(text("DELETE FROM users WHERE id = :u"), {"u": user_id})


def test_a_rep_without_statements_is_told_what_to_expect(newcomer) -> None:
    app = AppTest.from_file(str(PROJECT_ROOT / "Home.py"), default_timeout=60)
    app.session_state["principal"] = newcomer
    app.run()
    app.switch_page(str(PROJECT_ROOT / "pages" / "compensation.py"))
    app.run()
    assert not app.exception
    assert any("You have no commission statements yet" in info.value and "Rules tab" in info.value
               for info in app.info)


def test_submit_for_approval_sits_below_the_team_table() -> None:
    """Item 20: the table's toolbar (top right of the table) covered the button drawn right above it."""
    start, end = latest_period_with("paid")
    with session_scope(Database.COMPENSATION, admin=True) as session:
        statement = session.scalars(select(SalesPerformance).where(SalesPerformance.period_start == start)).first()
        statement_id = statement.id
        statement.status = "draft"
    try:
        app = open_commissions_as("manager")
        app.selectbox(key="team_period").set_value(Period(start, end).code).run()
        order = [node.type if node.type != "button" else node.label for node in walk(app.main)]
        table = next(index for index, kind in enumerate(order) if kind in ("arrow_data_frame", "dataframe"))
        assert order.index("Submit for approval…") > table
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.get(SalesPerformance, statement_id).status = "paid"


def walk(node):
    """Every element under `node`, in the order the page draws them."""
    children = getattr(node, "children", None)
    if not children:
        yield node
        return
    for child in children.values():
        yield from walk(child)


def test_a_deep_link_opens_a_reps_statement_for_a_manager_and_ones_own_for_a_rep() -> None:
    start, end = latest_period_with("paid")
    code = Period(start, end).code
    app = AppTest.from_file(str(PROJECT_ROOT / "Home.py"), default_timeout=60)
    app.session_state["principal"] = principal_for("manager")
    app.run()
    app.switch_page(str(PROJECT_ROOT / "pages" / "compensation.py"))
    app.query_params["period"] = code
    app.query_params["user"] = str(REP_ID)
    app.run()
    assert not app.exception
    assert (app.selectbox(key="team_period").value, app.selectbox(key="team_rep").value) == (code, REP_ID)
    assert any(markdown.value.startswith(f"**{code}**") for markdown in app.markdown)
    rep = AppTest.from_file(str(PROJECT_ROOT / "Home.py"), default_timeout=60)
    rep.session_state["principal"] = principal_for("rep")
    rep.run()
    rep.switch_page(str(PROJECT_ROOT / "pages" / "compensation.py"))
    rep.query_params["period"] = code
    rep.run()
    assert rep.selectbox(key="mine_period").value == code


def test_rule_names_are_shown_exactly_as_typed() -> None:
    name = '=HYPERLINK("http://evil","x") **bold** :red[red] $x$'
    with session_scope(Database.COMPENSATION, admin=True) as session:
        session.add(CommissionRule(name=name, type="flat", criteria={}, rate=1, start_date=date(2020, 1, 1),
                                   end_date=date(2020, 12, 31)))
    try:
        app = open_commissions_as("rep", "Rules")
        cards = [markdown.value for markdown in app.markdown if "HYPERLINK" in markdown.value]
        assert cards and shown(cards[0]).startswith(f"**{name}**")
        assert "**bold**" not in cards[0] and ":red[red]" not in cards[0]
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.execute(delete(CommissionRule).where(CommissionRule.name == name))
