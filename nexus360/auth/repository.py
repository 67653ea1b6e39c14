"""Queries of the auth database."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
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


def list_local_credentials(session: Session) -> list[tuple[LocalCredential, User]]:
    statement = select(LocalCredential, User).join(User, User.id == LocalCredential.user_id)
    return [(credential, user) for credential, user in session.execute(statement)]


def list_user_ids(session: Session) -> list[int]:
    return list(session.scalars(select(User.id)))


def get_local_credential(session: Session, username: str) -> LocalCredential | None:
    statement = select(LocalCredential).where(func.lower(LocalCredential.username) == username.strip().lower())
    return session.scalars(statement).first()


def upsert_local_credential(session: Session, *, user_id: int, username: str, password_hash: str) -> None:
    credential = session.get(LocalCredential, user_id)
    if credential is None:
        session.add(LocalCredential(user_id=user_id, username=username, password_hash=password_hash))
    else:
        credential.username = username
        credential.password_hash = password_hash
        credential.failed_attempts = 0
        credential.last_failed_at = None
    session.flush()


# --- Entra ID sign-in (nexus360.auth.entra) --------------------------------------------------------


def get_user_by_azure_id(session: Session, azure_id: str) -> User | None:
    return session.scalars(select(User).where(User.azure_id == azure_id)).first()


def create_user(
    session: Session, *, azure_id: str, email: str, first_name: str | None, last_name: str | None
) -> User:
    user = User(azure_id=azure_id, email=email, first_name=first_name, last_name=last_name, is_active=True)
    session.add(user)
    session.flush()
    return user


def get_role_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    """Role name -> id for those of `names` that exist."""
    statement = select(Role.name, Role.id).where(Role.name.in_(list(names)))
    return {name: role_id for name, role_id in session.execute(statement)}


def replace_user_roles(session: Session, user_id: int, role_ids: Iterable[int]) -> None:
    session.execute(delete(UserRole).where(UserRole.user_id == user_id))
    session.add_all(UserRole(user_id=user_id, role_id=role_id) for role_id in sorted(set(role_ids)))
    session.flush()


def get_local_credential_by_user(session: Session, user_id: int) -> LocalCredential | None:
    return session.get(LocalCredential, user_id)


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
