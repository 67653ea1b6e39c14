"""Queries of the auth database behind a principal: the user, their roles and effective permissions."""

from __future__ import annotations

from sqlalchemy import func, select
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
