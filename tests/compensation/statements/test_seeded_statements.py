"""The demo's statements are real engine output: recomputing a seeded quarter gives the same numbers."""

from __future__ import annotations

from sqlalchemy import select, update

from nexus360.common.periods import Period
from nexus360.compensation import flows
from nexus360.compensation.models import SalesPerformance
from nexus360.compensation.statements import service
from nexus360.db import Database
from nexus360.db.engine import set_actor
from nexus360.demo.common import Clock, demo_anchor, quarters
from tests.compensation.conftest import MANAGER


def test_recomputing_the_latest_seeded_quarter_reproduces_its_statements(db) -> None:
    comp, crm, auth = db(Database.COMPENSATION), db(Database.CRM), db(Database.AUTH)
    set_actor(comp, MANAGER)
    [(start, end)] = quarters(Clock(demo_anchor()), -1, -1)
    seeded = {row.user_id: (row.revenue, row.commission) for row in comp.execute(
        select(SalesPerformance.user_id, SalesPerformance.revenue, SalesPerformance.commission)
        .where(SalesPerformance.period_start == start))}
    seeded_lines = {user_id: service.get_statement(comp, MANAGER, user_id=user_id, period_start=start,
                                                   period_end=end).lines for user_id in seeded}
    assert seeded and all(seeded_lines[user_id] for user_id, (revenue, _c) in seeded.items() if revenue)
    comp.execute(update(SalesPerformance).where(SalesPerformance.period_start == start).values(status="draft"))
    recomputed = flows.run_period(comp, crm, auth, MANAGER, period=Period(start, end))
    assert recomputed
    for statement in recomputed:
        assert (statement.revenue, statement.commission) == seeded[statement.user_id]
        assert [line.explanation for line in statement.lines] == [
            line.explanation for line in seeded_lines[statement.user_id]]
