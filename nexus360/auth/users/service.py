"""Who is who, for every domain (names, people by role, teams, holders of a permission, roles), and the
administration of users, roles and grants (permission `admin.users`; every change is audited).

The reads for other domains are open to any signed-in user: a name or a team is no secret inside the
company, and other databases can only refer to users by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import pandas as pd
from sqlalchemy.orm import Session

from nexus360.auth import repository as principals
from nexus360.auth.audit import repository as audit_log
from nexus360.auth.audit import service as audit
from nexus360.auth.models import User
from nexus360.auth.schemas import ADMIN, Principal
from nexus360.auth.service import require
from nexus360.auth.users import repository
from nexus360.auth.users.schemas import Person, UserRead
from nexus360.common.errors import NotFoundError, ValidationError

PAGE_SIZE = 50
LOCKOUT_GUARD = ("admin.users",)  # the admin role always keeps these, or nobody could fix a mistake


# --- who is who -------------------------------------------------------------------------------------------


def get_user_names(session: Session, principal: Principal, *, user_ids: Iterable[int]) -> dict[int, str]:
    """Display names (first and last name, else email) of the given users."""
    ids = sorted({int(user_id) for user_id in user_ids})
    return repository.get_user_names(session, ids) if ids else {}


def list_people(session: Session, principal: Principal, *, roles: Iterable[str] = (),
                active_only: bool = True) -> list[Person]:
    """(id, name, email, is_active) of users, optionally only those holding one of `roles`, by name."""
    return [Person(*row) for row in repository.list_people(session, roles=list(roles), active_only=active_only)]


def active_user_ids(session: Session, principal: Principal, *, user_ids: Iterable[int]) -> set[int]:
    """Which of the given ids belong to existing, active users (to check cross-database references)."""
    ids = {int(user_id) for user_id in user_ids}
    return repository.active_user_ids(session, ids) if ids else set()


def list_team_member_ids(session: Session, principal: Principal, *, manager_id: int) -> list[int]:
    """The manager and everyone under them, at any depth of the manager hierarchy."""
    return repository.list_team_member_ids(session, manager_id)


def list_managers(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """(id, name) of users who manage someone, by name: the team filter's choices."""
    return repository.list_managers(session)


def list_permission_holders(session: Session, principal: Principal, *, permission: str) -> list[int]:
    """Ids of the active users holding `permission` through one of their roles (whom to tell)."""
    return repository.list_permission_holders(session, permission)


def get_role_names(session: Session, principal: Principal, *, user_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The role names of each of the given users, by name (users without a role are left out)."""
    ids = {int(user_id) for user_id in user_ids}
    return repository.get_role_names(session, ids) if ids else {}


# --- administration ---------------------------------------------------------------------------------------


def list_users(
    session: Session,
    principal: Principal,
    *,
    search: str = "",
    role: str | None = None,
    active: bool | None = None,
    page: int = 0,
) -> tuple[list[UserRead], int]:
    """One page of users (name or email search, role and status filters) and the total count."""
    require(principal, "admin.users")
    rows, total = repository.list_users(session, search=search.strip(), role=role, active=active, limit=PAGE_SIZE,
                                        offset=page * PAGE_SIZE)
    return [
        UserRead(
            id=user.id,
            name=" ".join(part for part in (user.first_name, user.last_name) if part) or user.email,
            email=user.email,
            roles=sorted(role_names),
            is_active=user.is_active is not False,
            local_username=username,
        )
        for user, role_names, username in rows
    ], total


def set_user_active(session: Session, principal: Principal, *, user_id: int, active: bool) -> None:
    """Activate or deactivate (soft delete: nothing is removed) a user."""
    require(principal, "admin.users")
    user = _user(session, user_id)
    if not active and user_id == principal.id:
        raise ValidationError("You cannot deactivate your own account.")
    if not active and ADMIN in principals.list_role_names(session, user_id):
        _ensure_another_active_admin(session, user_id)
    user.is_active = active
    session.flush()
    audit.record(session, user_id=principal.id, action="admin.activate" if active else "admin.deactivate",
                 result=audit.ALLOWED, object_type="user", object_id=user_id)


def set_user_roles(session: Session, principal: Principal, *, user_id: int, roles: list[str]) -> None:
    """Replace a user's roles."""
    require(principal, "admin.users")
    _user(session, user_id)
    known = principals.get_role_ids(session)
    unknown = sorted(set(roles) - set(known))
    if unknown:
        raise ValidationError(f"Unknown role(s): {', '.join(unknown)}.")
    before = set(principals.list_role_names(session, user_id))
    if ADMIN in before and ADMIN not in roles:
        if user_id == principal.id:
            raise ValidationError("You cannot remove your own administrator role.")
        _ensure_another_active_admin(session, user_id)
    principals.replace_user_roles(session, user_id, (known[name] for name in set(roles)))
    audit.record(session, user_id=principal.id, action="admin.set_roles", result=audit.ALLOWED,
                 object_type="user", object_id=user_id, details={"before": sorted(before), "after": sorted(set(roles))})


def get_permission_matrix(session: Session, principal: Principal) -> pd.DataFrame:
    """Permissions (rows) × roles (columns), True where the role grants the permission."""
    require(principal, "admin.users")
    roles, permissions = repository.list_all_role_names(session), repository.list_all_permission_names(session)
    granted = repository.list_grants(session)
    return pd.DataFrame(
        {role: [(permission, role) in granted for permission in permissions] for role in roles}, index=permissions
    )


def set_permission_matrix(session: Session, principal: Principal, *, matrix: Mapping[str, Mapping[str, bool]]) -> int:
    """Apply an edited matrix ({role: {permission: granted}}); returns how many grants changed."""
    require(principal, "admin.users")
    role_ids, permission_ids = principals.get_role_ids(session), repository.get_permission_ids(session)
    current = get_permission_matrix(session, principal)
    changes: list[tuple[str, str, bool]] = []
    for role, grants in matrix.items():
        for permission, granted in grants.items():
            if role not in role_ids or permission not in permission_ids:
                raise ValidationError(f"Unknown role or permission: {role} / {permission}.")
            if bool(current.at[permission, role]) != bool(granted):
                changes.append((role, permission, bool(granted)))
    for role, permission, granted in changes:
        if role == ADMIN and permission in LOCKOUT_GUARD and not granted:
            raise ValidationError(f"The admin role must keep '{permission}', or nobody could manage users.")
    for role, permission, granted in changes:
        key = {"role_id": role_ids[role], "permission_id": permission_ids[permission]}
        (repository.grant if granted else repository.revoke)(session, **key)
        audit.record(session, user_id=principal.id, action="admin.grant" if granted else "admin.revoke",
                     result=audit.ALLOWED, object_type="role", object_id=role, details={"permission": permission})
    session.flush()
    return len(changes)


def list_audit_events(
    session: Session, principal: Principal, *, user_id: int | None = None, action: str | None = None,
    result: str | None = None, since: datetime | None = None, limit: int = 200,
) -> pd.DataFrame:
    """The audit log, newest first, filtered in SQL."""
    require(principal, "admin.users")
    return audit_log.list_events(session, user_id=user_id, action=action, result=result, since=since, limit=limit)


def list_role_names(session: Session, principal: Principal) -> list[str]:
    """All role names, in their defined order."""
    require(principal, "admin.users")
    return repository.list_all_role_names(session)


def _user(session: Session, user_id: int) -> User:
    user = principals.get_user(session, user_id)
    if user is None:
        raise NotFoundError(f"User {user_id} does not exist.")
    return user


def _ensure_another_active_admin(session: Session, user_id: int) -> None:
    if not repository.count_other_active_users_with_role(session, ADMIN, user_id=user_id):
        raise ValidationError("This is the last active administrator; make someone else an administrator first.")
