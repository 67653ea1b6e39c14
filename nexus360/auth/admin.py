"""User and role administration (permission `admin.users`); every change is audited."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from nexus360.auth import audit
from nexus360.auth.models import LocalCredential, Permission, Role, RolePermission, User, UserRole
from nexus360.auth.permissions import ADMIN
from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.sql import escape_like

PAGE_SIZE = 50
LOCKOUT_GUARD = ("admin.users",)  # the admin role always keeps these, or nobody could fix a mistake


class UserRow(BaseModel):
    id: int
    name: str
    email: str
    roles: list[str]
    is_active: bool
    local_username: str | None


def list_users(
    session: Session,
    principal: Principal,
    *,
    search: str = "",
    role: str | None = None,
    active: bool | None = None,
    page: int = 0,
) -> tuple[list[UserRow], int]:
    """One page of users (name or email search, role and status filters) and the total count."""
    require(principal, "admin.users")
    roles = func.array_remove(func.array_agg(Role.name.distinct()), None)
    statement = (
        select(User, roles.label("roles"), LocalCredential.username)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .outerjoin(Role, Role.id == UserRole.role_id)
        .outerjoin(LocalCredential, LocalCredential.user_id == User.id)
        .group_by(User.id, LocalCredential.username)
    )
    if search.strip():
        pattern = f"%{escape_like(search.strip())}%"
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
    rows = session.execute(
        statement.order_by(User.last_name, User.first_name, User.id).limit(PAGE_SIZE).offset(page * PAGE_SIZE)
    )
    return [
        UserRow(
            id=user.id,
            name=" ".join(part for part in (user.first_name, user.last_name) if part) or user.email,
            email=user.email,
            roles=sorted(role_names),
            is_active=user.is_active is not False,
            local_username=username,
        )
        for user, role_names, username in rows
    ], int(total)


def set_user_active(session: Session, principal: Principal, *, user_id: int, active: bool) -> None:
    """Activate or deactivate (soft delete: nothing is removed) a user."""
    require(principal, "admin.users")
    user = _user(session, user_id)
    if not active and user_id == principal.id:
        raise ValidationError("You cannot deactivate your own account.")
    if not active and ADMIN in _role_names(session, user_id):
        _ensure_another_active_admin(session, user_id)
    user.is_active = active
    session.flush()
    audit.record(session, user_id=principal.id, action="admin.activate" if active else "admin.deactivate",
                 result=audit.ALLOWED, object_type="user", object_id=user_id)


def set_user_roles(session: Session, principal: Principal, *, user_id: int, roles: list[str]) -> None:
    """Replace a user's roles."""
    require(principal, "admin.users")
    _user(session, user_id)
    known = dict(session.execute(select(Role.name, Role.id)).all())
    unknown = sorted(set(roles) - set(known))
    if unknown:
        raise ValidationError(f"Unknown role(s): {', '.join(unknown)}.")
    before = _role_names(session, user_id)
    if ADMIN in before and ADMIN not in roles:
        if user_id == principal.id:
            raise ValidationError("You cannot remove your own administrator role.")
        _ensure_another_active_admin(session, user_id)
    session.execute(delete(UserRole).where(UserRole.user_id == user_id))
    session.add_all(UserRole(user_id=user_id, role_id=known[name]) for name in sorted(set(roles)))
    session.flush()
    audit.record(session, user_id=principal.id, action="admin.set_roles", result=audit.ALLOWED,
                 object_type="user", object_id=user_id, details={"before": sorted(before), "after": sorted(set(roles))})


def get_permission_matrix(session: Session, principal: Principal) -> pd.DataFrame:
    """Permissions (rows) × roles (columns), True where the role grants the permission."""
    require(principal, "admin.users")
    roles = list(session.scalars(select(Role.name).order_by(Role.id)))
    permissions = list(session.scalars(select(Permission.name).order_by(Permission.id)))
    granted = set(
        session.execute(
            select(Permission.name, Role.name)
            .join(RolePermission, RolePermission.permission_id == Permission.id)
            .join(Role, Role.id == RolePermission.role_id)
        ).all()
    )
    return pd.DataFrame(
        {role: [(permission, role) in granted for permission in permissions] for role in roles}, index=permissions
    )


def set_permission_matrix(session: Session, principal: Principal, *, matrix: Mapping[str, Mapping[str, bool]]) -> int:
    """Apply an edited matrix ({role: {permission: granted}}); returns how many grants changed."""
    require(principal, "admin.users")
    role_ids = dict(session.execute(select(Role.name, Role.id)).all())
    permission_ids = dict(session.execute(select(Permission.name, Permission.id)).all())
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
        if granted:
            session.add(RolePermission(**key))
        else:
            session.execute(delete(RolePermission).filter_by(**key))
        audit.record(session, user_id=principal.id, action="admin.grant" if granted else "admin.revoke",
                     result=audit.ALLOWED, object_type="role", object_id=role, details={"permission": permission})
    session.flush()
    return len(changes)


def list_audit_events(session: Session, principal: Principal, **filters) -> pd.DataFrame:
    """The audit log, newest first (filters: user_id, action, result, since, limit)."""
    require(principal, "admin.users")
    return audit.list_events(session, **filters)


def list_role_names(session: Session, principal: Principal) -> list[str]:
    """All role names, in their defined order."""
    require(principal, "admin.users")
    return list(session.scalars(select(Role.name).order_by(Role.id)))


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"User {user_id} does not exist.")
    return user


def _role_names(session: Session, user_id: int) -> set[str]:
    statement = select(Role.name).join(UserRole, UserRole.role_id == Role.id).where(UserRole.user_id == user_id)
    return set(session.scalars(statement))


def _ensure_another_active_admin(session: Session, user_id: int) -> None:
    others = session.execute(
        select(func.count(User.id))
        .join(UserRole, UserRole.user_id == User.id)
        .join(Role, Role.id == UserRole.role_id)
        .where(Role.name == ADMIN, User.id != user_id, func.coalesce(User.is_active, True))
    ).scalar_one()
    if not others:
        raise ValidationError("This is the last active administrator; make someone else an administrator first.")
