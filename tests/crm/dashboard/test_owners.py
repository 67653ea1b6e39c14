"""Who the dashboard counts as a rep and who leads a team is decided by roles (issue 13, item 7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from nexus360.auth.models import User
from nexus360.crm.dashboard import service as dashboards
from nexus360.crm.dashboard.schemas import DashboardFilters
from nexus360.db import Database

pytestmark = pytest.mark.usefixtures("seeded")

A_YEAR = DashboardFilters(start=date(2020, 1, 1), end=date(2100, 12, 31))


@pytest.fixture
def ids(db) -> dict[str, int]:
    rows = db(Database.AUTH).execute(select(User.first_name, User.last_name, User.id)).all()
    return {f"{first} {last}": user_id for first, last, user_id in rows}


def test_teams_are_led_by_sales_managers_never_by_a_marketer_who_manages_someone(db, manager, ids) -> None:
    labels = [choice.label for choice in dashboards.list_owner_choices(db(Database.AUTH), manager)]

    assert "Team of Nadia Rahman" not in labels  # a marketer, though Jonas Becker reports to her
    assert {"Team of Elena Vasquez", "Team of Sophie Lambert", "Team of Daniel Okafor"} <= set(labels)
    assert "Nadia Rahman" not in labels and "Jonas Becker" not in labels  # marketers own no deals


def test_a_team_is_its_manager_and_everyone_under_them(db, manager, ids) -> None:
    choices = {choice.label: choice.owner_ids for choice in dashboards.list_owner_choices(db(Database.AUTH), manager)}

    sophie = {ids[name] for name in ("Sophie Lambert", "Lars Eriksson", "Aisha Khan")}
    assert sophie <= set(choices["Team of Sophie Lambert"])
    assert ids["Emily Chen"] not in choices["Team of Sophie Lambert"]
    assert set(choices["Team of Sophie Lambert"]) < set(choices["Team of Elena Vasquez"])


def test_only_those_who_own_deals_get_my_deals(db, manager, marketer) -> None:
    assert "My deals" in [choice.label for choice in dashboards.list_owner_choices(db(Database.AUTH), manager)]
    assert "My deals" not in [choice.label for choice in dashboards.list_owner_choices(db(Database.AUTH), marketer)]


def test_who_is_ahead_ranks_sales_reps_and_never_the_managers_who_own_deals(db, manager, ids) -> None:
    board = dashboards.get_rep_leaderboard(db(Database.CRM), manager, filters=A_YEAR, auth_session=db(Database.AUTH))

    assert not board.empty
    assert "Daniel Okafor" not in set(board["owner"]) and "Sophie Lambert" not in set(board["owner"])
    assert ids["Daniel Okafor"] in set(dashboards.get_owner_leaderboard(db(Database.CRM), manager,
                                                                        filters=A_YEAR)["owner_id"])
    assert set(board["owner"]) <= {"Lars Eriksson", "Aisha Khan", "Tomasz Nowak", "Emily Chen", "Rafael Costa",
                                   "Arjun Mehta"}
    assert list(board["won_amount"]) == sorted(board["won_amount"], reverse=True)


def test_who_is_ahead_within_a_team_shows_only_that_teams_reps(db, manager, ids) -> None:
    team = (ids["Daniel Okafor"], ids["Emily Chen"], ids["Rafael Costa"], ids["Arjun Mehta"])
    board = dashboards.get_rep_leaderboard(db(Database.CRM), manager, filters=replace(A_YEAR, owner_ids=team),
                                           auth_session=db(Database.AUTH))

    assert set(board["owner"]) <= {"Emily Chen", "Rafael Costa", "Arjun Mehta"}


def test_a_filter_naming_no_rep_gives_an_empty_board_with_its_columns(db, manager, ids) -> None:
    board = dashboards.get_rep_leaderboard(db(Database.CRM), manager, filters=replace(
        A_YEAR, owner_ids=(ids["Daniel Okafor"],)), auth_session=db(Database.AUTH))

    assert board.empty and {"owner", "won_amount", "won_deals"} <= set(board.columns)


# --- what a rep may see of colleagues (issue 11, finding 7) ----------------------------------------------


def test_a_rep_or_a_marketer_is_offered_no_colleague_and_no_team(db, rep, marketer) -> None:
    assert [choice.label for choice in dashboards.list_owner_choices(db(Database.AUTH), rep)] == ["Everyone",
                                                                                                   "My deals"]
    assert [choice.label for choice in dashboards.list_owner_choices(db(Database.AUTH), marketer)] == ["Everyone"]


def test_who_is_ahead_shows_a_rep_colleagues_by_rank_and_only_their_own_figures(db, rep) -> None:
    board = dashboards.get_rep_leaderboard(db(Database.CRM), rep, filters=A_YEAR, auth_session=db(Database.AUTH))

    assert list(board["rank"]) == list(range(1, len(board) + 1)) and len(board) > 1
    colleagues, own = board[board["owner_id"] != rep.id], board[board["owner_id"] == rep.id]
    assert colleagues[list(dashboards.LEADERBOARD_FIGURES)].isna().all().all()
    assert len(own) == 1 and own["won_amount"].iloc[0] > 0 and own["owner"].notna().all()


def test_a_rep_cannot_ask_for_a_team_on_who_is_ahead(db, rep, ids) -> None:
    from nexus360.common.errors import AuthorizationError

    team = (ids["Emily Chen"], ids["Rafael Costa"])
    with pytest.raises(AuthorizationError):
        dashboards.get_rep_leaderboard(db(Database.CRM), rep, filters=replace(A_YEAR, owner_ids=team),
                                       auth_session=db(Database.AUTH))
