"""Who is signed in and what they may do: principals and permission checks.

Other parts of the domain: `auth.signin` (local and Entra ID sign-in), `auth.users` (who is who, and the
administration of users, roles and grants), `auth.audit` (the audit log).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from nexus360.auth import repository
from nexus360.auth.schemas import Principal
from nexus360.common.errors import AuthorizationError, NotFoundError


def get_principal(session: Session, user_id: int) -> Principal:
    """Load a user with their roles and effective permissions."""
    user = repository.get_user(session, user_id)
    if user is None:
        raise NotFoundError(f"User {user_id} does not exist.")
    return Principal(
        id=user.id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        is_active=bool(user.is_active),
        roles=tuple(repository.list_role_names(session, user.id)),
        permissions=frozenset(repository.list_permission_names(session, user.id)),
    )


def get_principal_by_username(session: Session, username: str) -> Principal:
    """The principal behind a local account's username."""
    user = repository.get_user_by_username(session, username)
    if user is None:
        raise NotFoundError(f"No local account is called '{username}'.")
    return get_principal(session, user.id)


def get_principal_by_email(session: Session, email: str) -> Principal:
    """The principal with this email address (case-insensitive)."""
    user = repository.get_user_by_email(session, email)
    if user is None:
        raise NotFoundError(f"No user has the email address '{email}'.")
    return get_principal(session, user.id)


def require(principal: Principal, permission: str) -> None:
    """Raise AuthorizationError unless the principal holds `permission`."""
    if not principal.is_active or not principal.has(permission):
        raise AuthorizationError(permission, user_email=principal.email)


def require_any(principal: Principal, *permissions: str) -> None:
    """Raise AuthorizationError unless the principal holds at least one of `permissions`."""
    if not principal.is_active or not any(principal.has(permission) for permission in permissions):
        raise AuthorizationError(" or ".join(permissions), user_email=principal.email)
