"""Queries of users and their roles that every part of the auth domain uses: the user behind a principal, their
roles and effective permissions, creating a user and replacing their roles."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from nexus360.auth.models import LocalCredential, Permission, Role, RolePermission, User, UserRole


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def get_user_by_username(session: Session, username: str) -> User | None:
    statement = (
        select(User)
        .join(LocalCredential, LocalCredential.user_id == User.id)
        .where(func.lower(LocalCredential.username) == username.strip().lower())
    )
    return session.scalars(statement).first()


def list_role_names(session: Session, user_id: int) -> list[str]:
    statement = (
        select(Role.name)
        .join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user_id)
        .order_by(Role.id)
    )
    return list(session.scalars(statement))


def list_permission_names(session: Session, user_id: int) -> list[str]:
    statement = (
        select(Permission.name)
        .join(RolePermission, RolePermission.permission_id == Permission.id)
        .join(UserRole, UserRole.role_id == RolePermission.role_id)
        .where(UserRole.user_id == user_id)
        .distinct()
    )
    return list(session.scalars(statement))


def create_user(
    session: Session, *, azure_id: str, email: str, first_name: str | None, last_name: str | None
) -> User:
    user = User(azure_id=azure_id, email=email, first_name=first_name, last_name=last_name, is_active=True)
    session.add(user)
    session.flush()
    return user


def get_role_ids(session: Session, names: Iterable[str] | None = None) -> dict[str, int]:
    """Role name -> id, of every role or of those of `names` that exist."""
    statement = select(Role.name, Role.id)
    if names is not None:
        statement = statement.where(Role.name.in_(list(names)))
    return dict(session.execute(statement).all())


def replace_user_roles(session: Session, user_id: int, role_ids: Iterable[int], *, actor_id: int | None,
                       reason: str) -> None:
    """Give the user exactly these roles through the database's narrow function (auth_0006), which changes only
    what differs (a change of roles ends the user's sessions), checks an administrator's admin.users itself and
    writes the audit event; `reason` is "admin", "entra sign-in" or "directory sync"."""
    session.execute(
        text("SELECT nexus360_set_user_roles(:user_id, CAST(:role_ids AS INT[]), :actor_id, :reason)"),
        {"user_id": user_id, "role_ids": sorted(set(role_ids)), "actor_id": actor_id, "reason": reason},
    )
    session.flush()
    session.expire_all()  # the function changed rows this session may hold


# --- directory sync (nexus360.integrations, through the "directory sync" block of auth.service) -----


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def list_user_role_names(session: Session) -> list[tuple[int, str]]:
    """(user id, role name) of every role held by anyone."""
    return [(user_id, name) for user_id, name in
            session.execute(select(UserRole.user_id, Role.name).join(Role, Role.id == UserRole.role_id))]


def list_role_ids(session: Session) -> dict[str, int]:
    """Every role: name -> id."""
    return {name: role_id for name, role_id in session.execute(select(Role.name, Role.id))}


def count_other_active_admins(session: Session, user_id: int, *, admin_role: str) -> int:
    """Active users other than `user_id` who hold `admin_role`."""
    statement = (
        select(func.count(User.id))
        .join(UserRole, UserRole.user_id == User.id)
        .join(Role, Role.id == UserRole.role_id)
        .where(Role.name == admin_role, User.id != user_id, func.coalesce(User.is_active, True))
    )
    return int(session.execute(statement).scalar_one())
