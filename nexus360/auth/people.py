"""Who is who, for other domains: names, active users, teams (read-only, any signed-in user)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, aliased

from nexus360.auth.models import Role, User, UserRole
from nexus360.auth.schemas import Principal


def get_user_names(session: Session, principal: Principal, *, user_ids: Iterable[int]) -> dict[int, str]:
    """Display names (first and last name, else email) of the given users."""
    ids = sorted({int(user_id) for user_id in user_ids})
    if not ids:
        return {}
    name = func.coalesce(func.nullif(func.concat_ws(" ", User.first_name, User.last_name), ""), User.email)
    return dict(session.execute(select(User.id, name).where(User.id.in_(ids))).all())


def list_people(session: Session, principal: Principal, *, roles: Iterable[str] = (), active_only: bool = True):
    """(id, name, email, is_active) of users, optionally only those holding one of `roles`, by name."""
    name = func.coalesce(func.nullif(func.concat_ws(" ", User.first_name, User.last_name), ""), User.email)
    statement = select(User.id, name.label("name"), User.email, User.is_active).order_by(name)
    roles = list(roles)
    if roles:
        holders = select(UserRole.user_id).join(Role, Role.id == UserRole.role_id).where(Role.name.in_(roles))
        statement = statement.where(User.id.in_(holders))
    if active_only:
        statement = statement.where(func.coalesce(User.is_active, True))
    return [tuple(row) for row in session.execute(statement)]


def active_user_ids(session: Session, principal: Principal, *, user_ids: Iterable[int]) -> set[int]:
    """Which of the given ids belong to existing, active users (to check cross-database references)."""
    ids = {int(user_id) for user_id in user_ids}
    if not ids:
        return set()
    statement = select(User.id).where(User.id.in_(ids), func.coalesce(User.is_active, True))
    return set(session.scalars(statement))


def list_team_member_ids(session: Session, principal: Principal, *, manager_id: int) -> list[int]:
    """The manager and everyone under them, at any depth of the manager hierarchy."""
    team = select(User.id.label("id")).where(User.id == manager_id).cte("team", recursive=True)
    below = aliased(User)
    team = team.union_all(select(below.id).join(team, below.manager_id == team.c.id))
    return sorted(session.scalars(select(team.c.id)))


def list_managers(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """(id, name) of users who manage someone, by name: the team filter's choices."""
    reports = aliased(User)
    name = func.coalesce(func.nullif(func.concat_ws(" ", User.first_name, User.last_name), ""), User.email)
    statement = (
        select(User.id, name)
        .where(select(literal(1)).where(reports.manager_id == User.id).exists())
        .order_by(name)
    )
    return [tuple(row) for row in session.execute(statement)]
