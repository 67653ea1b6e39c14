"""Rep A never reads rep B's statement, lines, disputes or history: not through services, not through SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nexus360.common.errors import AuthorizationError, NotFoundError
from nexus360.compensation.disputes import service as disputes
from nexus360.compensation.statements import service
from nexus360.compensation.summaries import service as summaries
from nexus360.db.engine import set_actor
from tests.compensation.conftest import MANAGER, PERIOD, REP_A, REP_B, principal, run

REP_A_PRINCIPAL, REP_B_PRINCIPAL = principal(REP_A, "sales_rep"), principal(REP_B, "sales_rep")


@pytest.fixture
def statements(sessions, deals):
    """Both statements run, submitted (an event each) and disputed by their own reps."""
    comp = sessions.comp
    statements = run(sessions)
    service.submit_for_approval(comp, sessions.auth, sessions.notes, MANAGER, **PERIOD)
    for user_id, rep in ((REP_A, REP_A_PRINCIPAL), (REP_B, REP_B_PRINCIPAL)):
        set_actor(comp, rep)
        disputes.open_dispute(comp, sessions.auth, sessions.notes, rep, line_id=statements[user_id].lines[0].id,
                              comment=f"Dispute of {user_id}")
    set_actor(comp, REP_A_PRINCIPAL)
    return statements


def test_services_refuse_another_reps_statement_history_and_disputes(sessions, statements) -> None:
    comp, other = sessions.comp, statements[REP_B]
    with pytest.raises(AuthorizationError):
        service.get_statement(comp, REP_A_PRINCIPAL, user_id=REP_B, **PERIOD)
    with pytest.raises(AuthorizationError):
        service.export_statement(comp, REP_A_PRINCIPAL, user_id=REP_B, **PERIOD)
    with pytest.raises(NotFoundError):
        disputes.statement_history(comp, REP_A_PRINCIPAL, performance_id=other.id)
    with pytest.raises((AuthorizationError, NotFoundError)):
        disputes.open_dispute(comp, sessions.auth, sessions.notes, REP_A_PRINCIPAL, line_id=other.lines[0].id,
                              comment="Not my line")
    assert {d.user_id for d in disputes.list_disputes(comp, REP_A_PRINCIPAL)} == {REP_A}
    assert {row.user_id for row in summaries.my_history(comp, REP_A_PRINCIPAL)} == {REP_A}


def test_sql_as_rep_a_sees_no_row_of_rep_b(sessions, statements) -> None:
    comp, other = sessions.comp, statements[REP_B].id
    for table in ("sales_performance", "commission_lines", "commission_events", "commission_disputes"):
        column = "id" if table == "sales_performance" else "performance_id"
        count = comp.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = :p"), {"p": other}).scalar_one()
        assert count == 0, table
    own = comp.execute(text("SELECT count(*) FROM commission_events WHERE performance_id = :p"),
                       {"p": statements[REP_A].id}).scalar_one()
    assert own == 2  # computed, submitted


def test_sql_as_rep_a_cannot_write_history_or_dispute_for_rep_b(sessions, statements) -> None:
    comp = sessions.comp
    writes = [
        ("INSERT INTO commission_disputes (performance_id, user_id, comment) VALUES (:p, :u, 'forged')",
         {"p": statements[REP_B].id, "u": REP_A}),
        ("INSERT INTO commission_disputes (performance_id, user_id, comment) VALUES (:p, :u, 'as B')",
         {"p": statements[REP_A].id, "u": REP_B}),
        ("INSERT INTO commission_disputes (performance_id, line_id, user_id, comment) VALUES (:p, :l, :u, 'mixed')",
         {"p": statements[REP_A].id, "l": statements[REP_B].lines[0].id, "u": REP_A}),
        ("INSERT INTO commission_events (performance_id, action, to_status) VALUES (:p, 'approved', 'approved')",
         {"p": statements[REP_A].id}),
    ]
    for sql, params in writes:
        with pytest.raises(DBAPIError, match="row-level security"), comp.begin_nested():
            comp.execute(text(sql), params)
    updated = comp.execute(text("UPDATE commission_disputes SET status = 'accepted' WHERE user_id = :u"),
                           {"u": REP_A}).rowcount
    assert updated == 0  # only managers resolve disputes
