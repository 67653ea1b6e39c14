"""Commission workflows across databases with real, committing sessions: run, approve, send back, pay,
disputes, what-if, export and the command line.

Deals are planted for the seeded reps 11 and 12 in 2033-Q2, a period no other test uses, under the demo
rules (standard 5%, accelerator 1% up to $250,000 and 3% above, $2,500 quota club at 100% of $250,000).
Everything written is deleted afterwards so other tests' figures stay put.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, text

from nexus360.auth import service as auth_service
from nexus360.auth.models import AuditEvent
from nexus360.auth.schemas import Principal
from nexus360.cli import main
from nexus360.common.errors import AuthorizationError, NotFoundError, ValidationError
from nexus360.compensation import flows
from nexus360.compensation.disputes import service as disputes
from nexus360.compensation.models import SalesPerformance
from nexus360.compensation.schemas import DealChoice, HistoryEntry
from nexus360.compensation.statements import service
from nexus360.crm.models import Company, Deal, DealStage
from nexus360.db import Database, session_scope
from nexus360.notifications.models import Notification

REP_ID, OTHER_REP_ID, MANAGER_ID = 11, 12, 2
START, END = date(2033, 4, 1), date(2033, 6, 30)
PERIOD = {"period_start": START, "period_end": END}
TODAY = date(2033, 5, 15)
COMMISSION_TYPES = Notification.type.like("statement%") | Notification.type.like("dispute%")


def people() -> dict[int, Principal]:
    with session_scope(Database.AUTH, admin=True) as auth:
        return {user_id: auth_service.get_principal(auth, user_id) for user_id in (1, MANAGER_ID, REP_ID, OTHER_REP_ID)}


@pytest.fixture(autouse=True)
def in_the_planted_quarter(monkeypatch) -> None:
    """Runs refuse a period that has not started: these tests live on TODAY, inside the planted quarter."""
    monkeypatch.setattr(flows, "today_utc", lambda: TODAY)


@pytest.fixture
def planted(seeded) -> Iterator[dict]:
    started = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with session_scope(Database.CRM, admin=True) as crm:
        won = crm.scalars(select(DealStage.id).where(DealStage.is_won)).first()
        open_stage = crm.scalars(select(DealStage.id).where(~DealStage.is_won, ~DealStage.is_lost)
                                 .order_by(DealStage.position.desc())).first()
        company = Company(name="Flows Test Planted Ltd")
        crm.add(company)
        crm.flush()
        deals = {
            "won_a": Deal(title="Planted win A", company_id=company.id, owner_id=REP_ID, stage_id=won,
                          amount=Decimal(200_000), close_date=date(2033, 4, 10)),
            "open_a": Deal(title="Planted open A", company_id=company.id, owner_id=REP_ID, stage_id=open_stage,
                           amount=Decimal(100_000), close_date=date(2033, 6, 1)),
            "won_b": Deal(title="Planted win B", company_id=company.id, owner_id=OTHER_REP_ID, stage_id=won,
                          amount=Decimal(50_000), close_date=date(2033, 6, 30)),
        }
        crm.add_all(deals.values())
        crm.flush()
        ids = {key: deal.id for key, deal in deals.items()} | {"company": company.id}
    try:
        yield ids | {"people": people(), "started": started}
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as comp:
            comp.execute(delete(SalesPerformance).where(SalesPerformance.period_start == START))
        with session_scope(Database.CRM, admin=True) as crm:
            crm.execute(delete(Deal).where(Deal.company_id == ids["company"]))
            crm.execute(delete(Company).where(Company.id == ids["company"]))
        with session_scope(Database.NOTIFICATIONS, admin=True) as notes:
            notes.execute(delete(Notification).where(COMMISSION_TYPES, Notification.created_at >= started))
        with session_scope(Database.AUTH, admin=True) as auth:
            auth.execute(delete(AuditEvent).where(AuditEvent.action.like("commissions.%"),
                                                  AuditEvent.object_id == "2033-Q2"))


def notifications_of(user_id: int, since: datetime) -> list[tuple[str, str]]:
    with session_scope(Database.NOTIFICATIONS, admin=True) as notes:
        return [tuple(row) for row in notes.execute(
            select(Notification.title, Notification.message).where(
                Notification.user_id == user_id, COMMISSION_TYPES, Notification.created_at >= since)
            .order_by(Notification.id))]


def history(principal: Principal, performance_id: int) -> list[HistoryEntry]:
    with session_scope(Database.COMPENSATION, actor=principal) as comp:
        return disputes.statement_history(comp, principal, performance_id=performance_id)


def submit_for_approval(principal: Principal) -> int:
    return flows.submit_for_approval(principal, **PERIOD)


def test_a_run_saves_drafts_and_reports_its_totals(planted) -> None:
    manager = planted["people"][MANAGER_ID]
    result = flows.run_commissions(manager, period="2033-Q2")
    assert (result.label, result.statements) == ("2033-Q2", 2)
    assert result.total_revenue == Decimal("250000.00")
    assert result.total_commission == Decimal("15000.00")  # A: 10,000 + 2,000 tier; B: 2,500 + 500 tier


def test_approval_moves_the_statement_records_history_and_notifies_the_rep(planted) -> None:
    manager, rep = planted["people"][MANAGER_ID], planted["people"][REP_ID]
    flows.run_commissions(manager, period="2033-Q2")
    assert submit_for_approval(manager) == 2
    statement = flows.approve(manager, user_id=REP_ID, comment="Checked against the CRM", **PERIOD)
    assert statement.status == "approved"
    [(title, message)] = notifications_of(REP_ID, planted["started"])
    assert "Q2 2033" in title and "approved" in title and "Checked against the CRM" in message
    entries = history(rep, statement.id)
    assert [(entry.action, entry.to_status) for entry in entries] == [
        ("approved", "approved"), ("submitted", "pending_approval"), ("computed", "draft")]
    assert (entries[0].user_id, entries[0].comment) == (MANAGER_ID, "Checked against the CRM")
    paid = flows.mark_paid(manager, user_id=REP_ID, **PERIOD)
    assert paid.status == "paid"
    adjusted = flows.add_adjustment(manager, user_id=REP_ID, amount="-250", reason="Partner share", **PERIOD)
    assert adjusted.commission == statement.commission - Decimal(250)
    assert "adjusted" in notifications_of(REP_ID, planted["started"])[-1][0]
    assert history(rep, statement.id)[0].action == "adjustment"
    with pytest.raises(ValidationError, match="locked"):
        flows.run_commissions(manager, period="2033-Q2")


def test_sending_back_needs_a_comment_and_keeps_the_history_through_a_recompute(planted) -> None:
    manager = planted["people"][MANAGER_ID]
    flows.run_commissions(manager, period="2033-Q2")
    submit_for_approval(manager)
    with pytest.raises(ValidationError, match="Say why"):
        flows.send_back(manager, user_id=OTHER_REP_ID, comment="  ", **PERIOD)
    statement = flows.send_back(manager, user_id=OTHER_REP_ID, comment="Deal B closes in Q3", **PERIOD)
    assert statement.status == "draft"
    assert "Deal B closes in Q3" in notifications_of(OTHER_REP_ID, planted["started"])[0][1]
    with pytest.raises(ValidationError, match="awaiting approval"):
        flows.run_commissions(manager, period="2033-Q2")  # rep 11's statement is still pending
    flows.send_back(manager, user_id=REP_ID, comment="Recompute with B", **PERIOD)
    flows.run_commissions(manager, period="2033-Q2")  # the draft is recomputed in place
    actions = [entry.action for entry in history(manager, statement.id)]
    assert actions == ["recomputed", "sent_back", "submitted", "computed"]


def test_only_managers_approve(planted) -> None:
    manager, rep = planted["people"][MANAGER_ID], planted["people"][REP_ID]
    flows.run_commissions(manager, period="2033-Q2")
    submit_for_approval(manager)
    with pytest.raises(AuthorizationError):
        flows.approve(rep, user_id=REP_ID, **PERIOD)
    with pytest.raises(AuthorizationError):
        flows.run_commissions(rep, period="2033-Q2")


def test_a_dispute_notifies_the_managers_and_its_resolution_the_rep(planted) -> None:
    manager, rep, other = (planted["people"][key] for key in (MANAGER_ID, REP_ID, OTHER_REP_ID))
    flows.run_commissions(manager, period="2033-Q2")
    with session_scope(Database.COMPENSATION, actor=rep) as comp:
        statement = service.get_statement(comp, rep, user_id=REP_ID, **PERIOD)
    line = statement.lines[0]
    with pytest.raises(ValidationError, match="what is wrong"):
        flows.open_dispute(rep, line_id=line.id, comment=" ")
    with pytest.raises((AuthorizationError, NotFoundError)):
        flows.open_dispute(other, line_id=line.id, comment="Not mine, but I object")
    dispute = flows.open_dispute(rep, line_id=line.id, comment="The partner share was not deducted")
    assert (dispute.status, dispute.user_id, dispute.performance_id) == ("open", REP_ID, statement.id)
    [(_title, told)] = [note for note in notifications_of(MANAGER_ID, planted["started"]) if "disputes" in note[0]]
    assert "“Planted win A”" in told and f"#{line.deal_id}" not in told and f"line {line.id}" not in told
    assert any("disputes" in title for title, _ in notifications_of(1, planted["started"]))  # admin manages too
    with pytest.raises(AuthorizationError):
        flows.resolve_dispute(rep, dispute_id=dispute.id, resolution="Fine by me", accepted=True)
    resolved = flows.resolve_dispute(manager, dispute_id=dispute.id, resolution="Partner share applies",
                                     accepted=False)
    assert (resolved.status, resolved.resolved_by) == ("rejected", MANAGER_ID)
    assert any("rejected" in title for title, _ in notifications_of(REP_ID, planted["started"]))
    with pytest.raises(ValidationError, match="already resolved"):
        flows.resolve_dispute(manager, dispute_id=dispute.id, resolution="Again", accepted=True)
    actions = [entry.action for entry in history(rep, statement.id)]
    assert actions[:2] == ["dispute_rejected", "dispute_opened"]
    with session_scope(Database.COMPENSATION, actor=rep) as comp:
        listed = disputes.list_disputes(comp, rep, performance_id=statement.id)
    assert [d.id for d in listed] == [dispute.id]
    assert (listed[0].period_start, listed[0].period_end) == (statement.period_start, statement.period_end)
    disputed = next(line for line in statement.lines if line.id == dispute.line_id)
    assert listed[0].line_explanation == disputed.explanation
    assert listed[0].line_deal_id == disputed.deal_id == planted["won_a"]


def test_what_if_projects_an_open_deal_won_today(planted) -> None:
    rep = planted["people"][REP_ID]
    picker = flows.open_deals_for(rep, user_id=REP_ID)
    assert DealChoice(id=planted["open_a"], name="Planted open A", amount=Decimal("100000.00"),
                      expected_close_date=date(2033, 6, 1)) in picker
    projection = flows.what_if(rep, user_id=REP_ID, deal_ids=[planted["open_a"]], today=TODAY)
    assert projection.period == "2033-Q2"
    assert (projection.current_revenue, projection.projected_revenue) == (Decimal("200000.00"), Decimal("300000.00"))
    assert projection.current_commission == Decimal("12000.00")
    # 5% of 300,000 + 1% of 250,000 + 3% of 50,000 + the 2,500 quota club bonus
    assert projection.projected_commission == Decimal("21500.00")
    assert projection.difference == Decimal("9500.00")
    assert projection.projected_attainment == pytest.approx(1.2)
    assert projection.tier_reached is not None and projection.tier_reached.startswith("tier 2 of")


def test_what_if_is_only_for_the_reps_own_open_deals(planted) -> None:
    rep, other = planted["people"][REP_ID], planted["people"][OTHER_REP_ID]
    with pytest.raises(AuthorizationError):
        flows.what_if(other, user_id=REP_ID, deal_ids=[planted["open_a"]], today=TODAY)
    with pytest.raises(ValidationError, match="open deals"):
        flows.what_if(rep, user_id=REP_ID, deal_ids=[planted["won_a"]], today=TODAY)


def test_a_statement_exports_one_row_per_line(planted) -> None:
    manager = planted["people"][MANAGER_ID]
    flows.run_commissions(manager, period="2033-Q2")
    with session_scope(Database.COMPENSATION, actor=manager) as comp:
        frame = service.export_statement(comp, manager, user_id=REP_ID, **PERIOD)
    assert list(frame.columns) == ["Period", "Kind", "Deal", "Rule", "Basis", "Rate (%)", "Amount", "Why", "Reason"]
    assert frame["Amount"].sum() == Decimal("12000.00")
    assert "a deal no longer in the CRM" in set(frame["Deal"])  # no title given: never a raw id
    assert "Standard commission (5% of won deals)" in set(frame["Rule"])
    with session_scope(Database.COMPENSATION, actor=manager) as comp:
        titled = service.export_statement(comp, manager, user_id=REP_ID, deal_titles={planted["won_a"]: "Acme renewal"},
                                          **PERIOD)
    assert "Acme renewal" in set(titled["Deal"])
    assert any("of “Acme renewal” (" in why for why in titled["Why"])
    assert not any("#" in why for why in titled["Why"])


@pytest.mark.parametrize(("period", "says"), [
    ("2099-Q1", "2099-Q1 has not started yet: the latest period you can run is 2033-Q2."),
    ("1999-Q1", "1999-Q1 ends before the first won deal"),
])
def test_the_command_line_refuses_a_period_without_possible_data(planted, period, says) -> None:
    result = CliRunner().invoke(main, ["commissions", "run", "--period", period])
    assert result.exit_code == 1
    assert says in result.output


def test_the_command_line_runs_a_period(planted) -> None:
    result = CliRunner().invoke(main, ["commissions", "run", "--period", "2033-Q2"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["label"], summary["statements"], summary["total_commission"]) == ("2033-Q2", 2, "15000.00")
    with session_scope(Database.COMPENSATION, admin=True) as comp:
        assert comp.execute(text("SELECT count(*) FROM sales_performance WHERE period_start = :s"),
                            {"s": START}).scalar_one() == 2


def test_a_manager_approves_the_whole_period_but_not_their_own_statement(planted) -> None:
    manager = planted["people"][MANAGER_ID]
    flows.run_commissions(manager, period="2033-Q2")
    submit_for_approval(manager)
    assert flows.approve_period(manager, **PERIOD) == 2
    assert len(notifications_of(REP_ID, planted["started"])) == len(notifications_of(OTHER_REP_ID,
                                                                                     planted["started"])) == 1
    assert flows.approve_period(manager, **PERIOD) == 0


def test_the_command_line_acts_as_the_named_user(planted) -> None:
    manager, rep = planted["people"][MANAGER_ID], planted["people"][REP_ID]
    result = CliRunner().invoke(main, ["commissions", "run", "--period", "2033-Q2", "--as", manager.email])
    assert result.exit_code == 0, result.output
    refused = CliRunner().invoke(main, ["commissions", "run", "--period", "2033-Q2", "--as", rep.email])
    assert refused.exit_code == 1
    unknown = CliRunner().invoke(main, ["commissions", "run", "--period", "2033-Q2", "--as", "nobody@example.com"])
    assert unknown.exit_code == 1 and "nobody@example.com" in unknown.output


def test_the_command_line_rejects_a_bad_period(seeded) -> None:
    result = CliRunner().invoke(main, ["commissions", "run", "--period", "2033-Q5"])
    assert result.exit_code == 1
    assert "is not valid" in result.output
