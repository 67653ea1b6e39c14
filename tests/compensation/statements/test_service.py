"""Commission runs against the real databases: statements and lines, drafts, locking, adjustments, privacy.

Deals are planted for owners 900101 and 900102 in 2031-Q1 (see conftest.py). Everything is rolled back.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.common.periods import Period, parse_period
from nexus360.compensation.models import CommissionRule
from nexus360.compensation.statements import service
from nexus360.crm.models import Deal
from nexus360.db.engine import set_actor
from tests.compensation.conftest import (
    END,
    INACTIVE_REP_ID,
    MANAGER,
    MANAGER_ID,
    PERIOD,
    REP_A,
    REP_B,
    SEEDED_REP_ID,
    START,
    approve,
    principal,
    run,
)


def test_run_writes_a_draft_statement_per_rep_with_its_lines(sessions, deals) -> None:
    statements = run(sessions)
    assert set(statements) == {REP_A, REP_B}
    a = statements[REP_A]
    assert (a.status, a.revenue, a.quota, a.commission) == ("draft", Decimal("130000.00"), Decimal("120000.00"),
                                                            Decimal("15900.00"))
    assert [(line.kind, line.deal_id, line.amount) for line in a.lines] == [
        ("deal", deals["a1"].id, Decimal("3000.00")), ("deal", deals["a2"].id, Decimal("3500.00")),
        ("tier", None, Decimal("5000.00")), ("tier", None, Decimal("2400.00")), ("bonus", None, Decimal("2000.00")),
    ]
    assert statements[REP_B].commission == Decimal("2000.00")  # 5% flat + 5% first tier, no bonus


def test_rerunning_a_draft_replaces_it(sessions, deals) -> None:
    comp, crm = sessions.comp, sessions.crm
    first = run(sessions)[REP_A]
    deals["a_lost"].stage_id = deals["won_stage"]  # won after all
    deals["a1"].stage_id = deals["lost_stage"]  # moved out of won: earns nothing now
    crm.flush()
    second = run(sessions)[REP_A]
    assert second.revenue == Decimal("120000.00")
    assert deals["a1"].id not in {line.deal_id for line in second.lines}
    assert not {line.id for line in first.lines} & {line.id for line in second.lines}
    count = comp.execute(text("SELECT count(*) FROM sales_performance WHERE user_id = :u AND period_start = :s"),
                         {"u": REP_A, "s": START}).scalar_one()
    assert count == 1


def test_rerunning_the_same_inputs_gives_the_same_numbers(sessions, deals) -> None:
    def figures(statement):
        return [(line.kind, line.deal_id, line.rule_id, line.rate, line.amount, line.explanation)
                for line in statement.lines], statement.commission

    assert figures(run(sessions)[REP_A]) == figures(run(sessions)[REP_A])


def test_deals_of_a_deactivated_rep_still_earn(sessions, deals) -> None:
    crm = sessions.crm
    crm.add(Deal(title="inactive", company_id=deals["a1"].company_id, owner_id=INACTIVE_REP_ID,
                 stage_id=deals["won_stage"], amount=Decimal("1000"), close_date=date(2031, 2, 1)))
    crm.flush()
    assert run(sessions)[INACTIVE_REP_ID].commission == Decimal("100.00")  # 5% flat + 5% first tier


def test_a_rule_for_owner_roles_pays_only_holders_of_the_role(sessions, deals) -> None:
    comp, crm = sessions.comp, sessions.crm
    comp.add(CommissionRule(name="Reps only", type="flat", criteria={"owner_roles": ["sales_rep"]},
                            rate=Decimal(1), start_date=START))
    crm.add(Deal(title="seeded rep", company_id=deals["a1"].company_id, owner_id=SEEDED_REP_ID,
                 stage_id=deals["won_stage"], amount=Decimal("1000"), close_date=date(2031, 2, 1)))
    comp.flush()
    crm.flush()
    statements = run(sessions)
    assert [line.amount for line in statements[SEEDED_REP_ID].lines if "Reps only" in line.explanation] == [
        Decimal("10.00")]
    assert statements[SEEDED_REP_ID].commission == Decimal("110.00")
    assert statements[REP_A].commission == Decimal("17200.00")  # 15,900 + 1% of 130,000: 900101 is a rep too


def test_only_reps_get_a_statement_managers_and_other_roles_do_not(sessions, deals) -> None:
    """Roles drive who is a rep: a sales manager or a marketer who owns a won deal gets no statement."""
    crm, auth = sessions.crm, sessions.auth
    holders = dict(auth.execute(text(
        "SELECT DISTINCT ON (r.name) r.name, u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id "
        "JOIN roles r ON r.id = ur.role_id ORDER BY r.name, u.id")).all())
    for role in ("sales_manager", "marketer"):
        crm.add(Deal(title=f"won by a {role}", company_id=deals["a1"].company_id, owner_id=holders[role],
                     stage_id=deals["won_stage"], amount=Decimal("1000"), close_date=date(2031, 2, 1)))
    crm.flush()
    assert set(run(sessions)) == {REP_A, REP_B}
    assert service.earns_commission(["sales_rep"]) and not service.earns_commission(["sales_rep", "sales_manager"])
    assert not service.earns_commission([])


@pytest.mark.parametrize(("code", "message"), [
    ("2031-Q3", "2031-Q3 has not started yet: the latest period you can run is 2031-Q2."),
    ("2031-05", "2031-05 has not started yet: the latest period you can run is 2031-04."),
    ("1999-Q1", "1999-Q1 ends before the first won deal"),
])
def test_a_period_without_possible_data_is_refused_with_a_sentence(sessions, deals, code, message) -> None:
    from nexus360.compensation import flows

    with pytest.raises(ValidationError, match=message):
        flows.run_period(sessions.comp, sessions.crm, sessions.auth, MANAGER, period=parse_period(code),
                         today=date(2031, 4, 15))


@pytest.mark.parametrize(("amount", "says"), [
    ("12345.678", "Amount can have at most 2 decimals (not 12345.678)."),
    ("5000000000", "Amount must be between -1,000,000,000 and 1,000,000,000."),
    ("abc", "Amount must be a number."), ("NaN", "Amount must be a number."), ("0", "Amount must not be zero."),
])
def test_an_adjustment_amount_is_refused_by_name(sessions, deals, amount, says) -> None:
    run(sessions)
    approve(sessions)
    with pytest.raises(ValidationError, match=re.escape(says)):
        service.add_adjustment(sessions.comp, sessions.notes, MANAGER, user_id=REP_A, amount=amount, reason="Why",
                               **PERIOD)


def test_decision_comments_are_limited_to_what_a_rep_reads(sessions, deals) -> None:
    comp, auth, notes = sessions.comp, sessions.auth, sessions.notes
    run(sessions)
    service.submit_for_approval(comp, auth, notes, MANAGER, **PERIOD)
    with pytest.raises(ValidationError, match="Comment must be at most 1,000 characters"):
        service.approve(comp, auth, notes, MANAGER, user_id=REP_A, comment="x" * 5000, **PERIOD)
    with pytest.raises(ValidationError, match="Comment must be at most 1,000 characters"):
        service.send_back(comp, auth, notes, MANAGER, user_id=REP_A, comment="y" * 1001, **PERIOD)
    assert service.get_statement(comp, MANAGER, user_id=REP_A, **PERIOD).status == "pending_approval"


def test_an_approved_period_is_locked(sessions, deals) -> None:
    run(sessions)
    approve(sessions)
    with pytest.raises(ValidationError, match="locked"):
        run(sessions)


def test_status_moves_only_along_the_workflow(sessions, deals) -> None:
    comp, auth, notes = sessions.comp, sessions.auth, sessions.notes
    run(sessions)
    with pytest.raises(ValidationError, match="not to approved"):
        service.approve(comp, auth, notes, MANAGER, user_id=REP_A, **PERIOD)
    assert service.submit_for_approval(comp, sessions.auth, sessions.notes, MANAGER, **PERIOD) == 2
    sent_back = service.send_back(comp, auth, notes, MANAGER, user_id=REP_A, comment="Check deal a2", **PERIOD)
    assert sent_back.status == "draft"
    approve(sessions)
    assert service.mark_paid(comp, auth, notes, MANAGER, user_id=REP_A, **PERIOD).status == "paid"
    with pytest.raises(ValidationError, match="final"):
        service.send_back(comp, auth, notes, MANAGER, user_id=REP_A, comment="Too late", **PERIOD)


def test_a_manager_cannot_approve_their_own_statement(sessions, deals) -> None:
    run(sessions)
    service.submit_for_approval(sessions.comp, sessions.auth, sessions.notes, MANAGER, **PERIOD)
    own = principal(REP_A, "sales_manager")
    with pytest.raises(ValidationError, match="cannot approve your own"):
        service.approve(sessions.comp, sessions.auth, sessions.notes, own, user_id=REP_A, **PERIOD)


def test_a_locked_statement_is_corrected_by_an_adjustment_with_a_reason(sessions, deals) -> None:
    comp, notes = sessions.comp, sessions.notes
    run(sessions)
    with pytest.raises(ValidationError, match="approved or paid"):
        service.add_adjustment(comp, notes, MANAGER, user_id=REP_A, amount="-150", reason="Refund", **PERIOD)
    approve(sessions)
    with pytest.raises(ValidationError, match="Reason is required"):
        service.add_adjustment(comp, notes, MANAGER, user_id=REP_A, amount="-150", reason=" ", **PERIOD)
    statement = service.add_adjustment(comp, notes, MANAGER, user_id=REP_A, amount="-150",
                                       reason="Deal a1 partly refunded", deal_id=deals["a1"].id, **PERIOD)
    assert statement.commission == Decimal("15750.00")
    adjustment = statement.lines[-1]
    assert (adjustment.kind, adjustment.amount, adjustment.reason, adjustment.created_by) == (
        "adjustment", Decimal("-150.00"), "Deal a1 partly refunded", MANAGER_ID)


def test_only_managers_run_periods(sessions, deals) -> None:
    with pytest.raises(AuthorizationError):
        run(sessions, principal(REP_A, "sales_rep"))
    with pytest.raises(AuthorizationError):
        service.run_period(sessions.comp, sessions.auth, principal(REP_A, "sales_rep"), period=Period(START, END),
                           deals={}, roles={})


def test_a_rep_reads_their_own_statement_but_not_another_reps(sessions, deals) -> None:
    comp = sessions.comp
    run(sessions)
    rep = principal(REP_A, "sales_rep")
    set_actor(comp, rep)
    assert service.get_statement(comp, rep, user_id=REP_A, **PERIOD).commission == Decimal("15900.00")
    with pytest.raises(AuthorizationError):
        service.get_statement(comp, rep, user_id=REP_B, **PERIOD)


def test_row_level_security_hides_other_reps_rows_and_lines_from_raw_sql(sessions, deals) -> None:
    comp = sessions.comp
    statements = run(sessions)
    set_actor(comp, principal(REP_A, "sales_rep"))
    owners = comp.execute(text("SELECT DISTINCT user_id FROM sales_performance WHERE period_start = :s"),
                          {"s": START}).scalars().all()
    assert owners == [REP_A]
    visible = set(comp.execute(text("SELECT performance_id FROM commission_lines")).scalars())
    assert visible == {statements[REP_A].id}
    with pytest.raises(DBAPIError, match="row-level security"), comp.begin_nested():
        comp.execute(text("INSERT INTO commission_lines (performance_id, kind, amount, explanation) "
                          "VALUES (:p, 'adjustment', 1000, 'self-service')"), {"p": statements[REP_A].id})


@pytest.mark.parametrize(("period", "expected"), [
    ("2026-Q3", (date(2026, 7, 1), date(2026, 9, 30))),
    ("2026-q1", (date(2026, 1, 1), date(2026, 3, 31))),
    ("2028-02", (date(2028, 2, 1), date(2028, 2, 29))),
])
def test_periods_are_quarters_or_months(period, expected) -> None:
    assert parse_period(period) == Period(*expected)


@pytest.mark.parametrize("period", ["2026-Q5", "2026-13", "Q3", "", "2026/07"])
def test_a_bad_period_gets_a_clear_message(period) -> None:
    with pytest.raises(ValidationError, match=f"Period '{period}' is not valid"):
        parse_period(period)
