"""Statement summaries for the rep and manager views, on the planted 2031-Q1 run (rolled back)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from nexus360.common.errors import AuthorizationError
from nexus360.compensation.disputes import service as disputes
from nexus360.compensation.summaries import service as summaries
from nexus360.db.engine import set_actor
from tests.compensation.conftest import END, MANAGER, REP_A, REP_B, START, principal, run

REP = principal(REP_A, "sales_rep")


def test_a_rep_sees_their_own_history_with_quota_attainment_and_status(sessions, deals) -> None:
    comp = sessions.comp
    run(sessions)
    set_actor(comp, REP)
    [latest, *_older] = summaries.my_history(comp, REP)
    assert (latest.user_id, latest.label, latest.status) == (REP_A, "2031-Q1", "draft")
    assert (latest.revenue, latest.commission, latest.quota) == (
        Decimal("130000.00"), Decimal("15900.00"), Decimal("120000.00"))
    assert latest.attainment == pytest.approx(130000 / 120000)
    assert latest.open_disputes == 0


def test_earnings_overview_gives_the_latest_statement_and_the_year_to_date(sessions, deals) -> None:
    comp = sessions.comp
    run(sessions)
    set_actor(comp, REP)
    overview = summaries.earnings_overview(comp, REP, user_id=REP_A, today=date(2031, 2, 15))
    assert overview.current.label == "2031-Q1"
    assert (overview.ytd_commission, overview.ytd_revenue) == (Decimal("15900.00"), Decimal("130000.00"))
    with pytest.raises(AuthorizationError):
        summaries.earnings_overview(comp, REP, user_id=REP_B, today=date(2031, 2, 15))


def test_the_team_table_lists_every_rep_of_the_period_for_managers_only(sessions, deals) -> None:
    comp = sessions.comp
    run(sessions)
    rows = summaries.team_period(comp, MANAGER, period_start=START, period_end=END)
    assert [(row.user_id, row.commission) for row in rows] == [(REP_A, Decimal("15900.00")),
                                                                (REP_B, Decimal("2000.00"))]
    assert {row.user_id for row in summaries.team_history(comp, MANAGER, periods=1)} == {REP_A, REP_B}
    assert len({row.period_start for row in summaries.team_history(comp, MANAGER, periods=3)}) == 3
    with pytest.raises(AuthorizationError):
        summaries.team_period(comp, REP, period_start=START, period_end=END)
    with pytest.raises(AuthorizationError):
        summaries.team_history(comp, REP)


def test_periods_list_newest_first_with_their_status_summary(sessions, deals) -> None:
    comp = sessions.comp
    run(sessions)
    assert summaries.list_periods(comp, MANAGER)[0] == (START, END, "2031-Q1 (2 draft)")
    set_actor(comp, REP)
    assert summaries.list_periods(comp, REP) == [(START, END, "2031-Q1 (1 draft)")]


def test_open_disputes_are_counted_on_the_statement(sessions, deals) -> None:
    comp = sessions.comp
    statement = run(sessions)[REP_A]
    set_actor(comp, REP)
    disputes.open_dispute(comp, sessions.auth, sessions.notes, REP, line_id=statement.lines[0].id,
                          comment="Wrong rate")
    assert summaries.my_history(comp, REP)[0].open_disputes == 1
