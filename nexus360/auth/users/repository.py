"""Queries of users, their roles and the role grants."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Row, delete, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from nexus360.auth.models import LocalCredential, Permission, Role, RolePermission, User, UserRole
from nexus360.common.sql import escape_like


def _name() -> ColumnElement[str]:
    """First and last name, else the email address."""
    return func.coalesce(func.nullif(func.concat_ws(" ", User.first_name, User.last_name), ""), User.email)


# --- who is who ---------------------------------------------------------------------------------------


def get_user_names(session: Session, user_ids: list[int]) -> dict[int, str]:
    return dict(session.execute(select(User.id, _name()).where(User.id.in_(user_ids))).all())


def list_people(session: Session, *, roles: list[str], active_only: bool) -> list[Row]:
    """(id, name, email, is_active) of users, only those holding one of `roles` if any, by name."""
    name = _name()
    statement = select(User.id, name.label("name"), User.email, User.is_active).order_by(name)
    if roles:
        holders = select(UserRole.user_id).join(Role, Role.id == UserRole.role_id).where(Role.name.in_(roles))
        statement = statement.where(User.id.in_(holders))
    if active_only:
        statement = statement.where(func.coalesce(User.is_active, True))
    return list(session.execute(statement))


def active_user_ids(session: Session, user_ids: set[int]) -> set[int]:
    statement = select(User.id).where(User.id.in_(user_ids), func.coalesce(User.is_active, True))
    return set(session.scalars(statement))


def list_team_member_ids(session: Session, manager_id: int) -> list[int]:
    """The manager and everyone under them, at any depth of the manager hierarchy."""
    team = select(User.id.label("id")).where(User.id == manager_id).cte("team", recursive=True)
    below = aliased(User)
    team = team.union_all(select(below.id).join(team, below.manager_id == team.c.id))
    return sorted(session.scalars(select(team.c.id)))


def list_managers(session: Session) -> list[tuple[int, str]]:
    """(id, name) of users who manage someone, by name."""
    reports = aliased(User)
    name = _name()
    statement = (
        select(User.id, name)
        .where(select(literal(1)).where(reports.manager_id == User.id).exists())
        .order_by(name)
    )
    return [tuple(row) for row in session.execute(statement)]


def list_permission_holders(session: Session, permission: str) -> list[int]:
    """Active users holding `permission` through one of their roles, by id."""
    statement = (
        select(User.id).distinct()
        .join(UserRole, UserRole.user_id == User.id)
        .join(RolePermission, RolePermission.role_id == UserRole.role_id)
        .join(Permission, Permission.id == RolePermission.permission_id)
        .where(Permission.name == permission, func.coalesce(User.is_active, True))
        .order_by(User.id)
    )
    return list(session.scalars(statement))


def get_role_names(session: Session, user_ids: set[int]) -> dict[int, tuple[str, ...]]:
    """Each user's role names, by name (users without a role are left out)."""
    statement = (
        select(UserRole.user_id, Role.name).join(Role, Role.id == UserRole.role_id)
        .where(UserRole.user_id.in_(user_ids)).order_by(UserRole.user_id, Role.name)
    )
    roles: dict[int, tuple[str, ...]] = {}
    for user_id, name in session.execute(statement):
        roles[user_id] = (*roles.get(user_id, ()), name)
    return roles


# --- administration -----------------------------------------------------------------------------------


def list_users(
    session: Session, *, search: str, role: str | None, active: bool | None, limit: int, offset: int
) -> tuple[list[tuple[User, list[str], str | None]], int]:
    """One page of (user, role names, local username) by last and first name, and how many match."""
    roles = func.array_remove(func.array_agg(Role.name.distinct()), None)
    statement = (
        select(User, roles.label("roles"), LocalCredential.username)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .outerjoin(Role, Role.id == UserRole.role_id)
        .outerjoin(LocalCredential, LocalCredential.user_id == User.id)
        .group_by(User.id, LocalCredential.username)
    )
    if search:
        pattern = f"%{escape_like(search)}%"
        full_name = func.concat_ws(" ", User.first_name, User.last_name)
        statement = statement.where(
            or_(User.email.ilike(pattern, escape="\\"), full_name.ilike(pattern, escape="\\"))
        )
    if role:
        statement = statement.where(
            User.id.in_(select(UserRole.user_id).join(Role, Role.id == UserRole.role_id).where(Role.name == role))
        )
    if active is not None:
        statement = statement.where(func.coalesce(User.is_active, True).is_(active))
    total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    rows = session.execute(statement.order_by(User.last_name, User.first_name, User.id).limit(limit).offset(offset))
    return [(user, role_names, username) for user, role_names, username in rows], int(total)


def count_other_active_users_with_role(session: Session, role: str, *, user_id: int) -> int:
    return session.execute(
        select(func.count(User.id))
        .join(UserRole, UserRole.user_id == User.id)
        .join(Role, Role.id == UserRole.role_id)
        .where(Role.name == role, User.id != user_id, func.coalesce(User.is_active, True))
    ).scalar_one()


def list_all_role_names(session: Session) -> list[str]:
    """Every role, in their defined order."""
    return list(session.scalars(select(Role.name).order_by(Role.id)))


def list_all_permission_names(session: Session) -> list[str]:
    return list(session.scalars(select(Permission.name).order_by(Permission.id)))


def list_permission_descriptions(session: Session) -> list[tuple[str, str | None]]:
    """(name, description) of every permission, in their defined order."""
    return [tuple(row) for row in session.execute(select(Permission.name, Permission.description)
                                                  .order_by(Permission.id))]


def get_permission_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Permission.name, Permission.id)).all())


def list_grants(session: Session) -> set[tuple[str, str]]:
    """(permission, role) of every grant."""
    return set(session.execute(
        select(Permission.name, Role.name)
        .join(RolePermission, RolePermission.permission_id == Permission.id)
        .join(Role, Role.id == RolePermission.role_id)
    ).all())


def grant(session: Session, *, role_id: int, permission_id: int) -> None:
    session.add(RolePermission(role_id=role_id, permission_id=permission_id))


def revoke(session: Session, *, role_id: int, permission_id: int) -> None:
    session.execute(delete(RolePermission).filter_by(role_id=role_id, permission_id=permission_id))
