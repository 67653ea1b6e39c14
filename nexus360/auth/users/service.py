"""Who is who, for every domain (names, people by role, teams, holders of a permission, roles), and the
administration of users, roles and grants (permission `admin.users`; every change is audited).

The reads for other domains are open to any signed-in user: a name or a team is no secret inside the
company, and other databases can only refer to users by id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

import pandas as pd
from sqlalchemy.orm import Session

from nexus360.auth import repository as principals
from nexus360.auth.audit import repository as audit_log
from nexus360.auth.audit import service as audit
from nexus360.auth.models import User
from nexus360.auth.schemas import ADMIN, PERMISSIONS, Principal
from nexus360.auth.service import require
from nexus360.auth.users import repository
from nexus360.auth.users.schemas import Person, UserRead, role_label
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.money import DASH

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
    if not roles:
        raise ValidationError("Roles: choose at least one. A user without a role cannot open any page; "
                              "deactivate the user instead if they should no longer sign in.")
    known = principals.get_role_ids(session)
    unknown = sorted(set(roles) - set(known))
    if unknown:
        raise ValidationError(f"Unknown role(s): {', '.join(unknown)}.")
    before = set(principals.list_role_names(session, user_id))
    if ADMIN in before and ADMIN not in roles:
        if user_id == principal.id:
            raise ValidationError("You cannot remove your own administrator role.")
        _ensure_another_active_admin(session, user_id)
    # The database's function checks admin.users again and writes the audit event (before and after).
    principals.replace_user_roles(session, user_id, (known[name] for name in set(roles)), actor_id=principal.id,
                                  reason="admin")


def get_permission_matrix(session: Session, principal: Principal) -> pd.DataFrame:
    """Permissions (rows) × roles (columns), True where the role grants the permission."""
    require(principal, "admin.users")
    roles, permissions = repository.list_all_role_names(session), repository.list_all_permission_names(session)
    granted = repository.list_grants(session)
    return pd.DataFrame(
        {role: [(permission, role) in granted for permission in permissions] for role in roles}, index=permissions
    )


def list_permissions(session: Session, principal: Principal) -> dict[str, str]:
    """Every permission (in their defined order) with what it allows, in words."""
    require(principal, "admin.users")
    return {name: description or PERMISSIONS.get(name, name)
            for name, description in repository.list_permission_descriptions(session)}


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
    category: str | None = None, result: str | None = None, since: datetime | None = None, limit: int = 200,
) -> pd.DataFrame:
    """The audit log as people read it, newest first, filtered in SQL (`category`: one of AUDIT_CATEGORIES):
    Time (UTC), Who, Action, Object, Result and Details, with names instead of ids and details in words."""
    require(principal, "admin.users")
    if category is not None and category not in AUDIT_CATEGORIES:
        raise ValidationError(f"Kind of event must be one of: {', '.join(AUDIT_CATEGORIES)}.")
    events = audit_log.list_events(session, user_id=user_id, action=action, result=result, since=since, limit=limit,
                                   action_prefixes=AUDIT_CATEGORIES.get(category or "", ()))
    records = [{key: _present(value) for key, value in record.items()} for record in events.to_dict("records")]
    mentioned = {int(record["user_id"]) for record in records if record["user_id"] is not None}
    for record in records:
        if record["object_type"] == "user" and str(record["object_id"]).isdigit():
            mentioned.add(int(record["object_id"]))
        details = record["details"]
        if isinstance(details, dict) and str(details.get("user_id", "")).isdigit():
            mentioned.add(int(details["user_id"]))
    names = repository.get_user_names(session, sorted(mentioned)) if mentioned else {}
    rows = [
        {"Time (UTC)": record["time"], "Who": _who(record["user_id"], names),
         "Action": describe_action(record["action"]),
         "Object": _describe_object(record["object_type"], record["object_id"], names),
         "Result": str(record["result"] or DASH).capitalize(), "Details": _describe_details(record["details"], names)}
        for record in records
    ]
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


AUDIT_COLUMNS = ["Time (UTC)", "Who", "Action", "Object", "Result", "Details"]
AUDIT_CATEGORIES: dict[str, tuple[str, ...]] = {  # what the log's filter offers -> the actions' prefixes
    "Sign-ins and sign-outs": ("sign_in.", "sign_out."),
    "User administration": ("admin.",),
    "Refused actions": ("refused:",),
    "Imports": ("import.",),
    "Commissions": ("commissions.",),
    "Directory sync": ("directory.",),
}
ACTION_WORDS = {
    "sign_in.local": "Signed in with a password",
    "sign_in.entra": "Signed in with Microsoft",
    "sign_out.local": "Signed out",
    "admin.set_roles": "Changed a user's roles",
    "admin.activate": "Reactivated a user",
    "admin.deactivate": "Deactivated a user",
    "admin.grant": "Granted a permission",
    "admin.revoke": "Revoked a permission",
    "admin.set_password": "Set a local password",
    "directory.sync": "Synced the directory",
    "commissions.run": "Ran a commission period",
    "commissions.approved": "Approved a statement",
    "commissions.draft": "Sent a statement back",
    "commissions.paid": "Marked a statement paid",
    "commissions.dispute_accepted": "Accepted a dispute",
    "commissions.dispute_rejected": "Rejected a dispute",
}
OBJECT_WORDS = {"commission_period": "Commission period", "username": "Username", "integration": "Integration",
                "page": "Page"}
DETAIL_WORDS = {"user_id": "Rep", "oid": "Entra object id", "matched_by": "Matched by", "failed_attempts":
                "Failed attempts", "dispute_id": "Dispute"}


def describe_action(action: str | None) -> str:
    """An audit action in words: 'admin.set_roles' -> "Changed a user's roles", 'refused:crm.read' -> 'Refused:
    Read companies, contacts and deals', 'import.leads' -> 'Imported leads'."""
    action = action or ""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    if action.startswith("refused:"):
        needed = action.removeprefix("refused:").split(" or ")  # a page any of several permissions opens
        words = [PERMISSIONS.get(permission, permission) for permission in needed]
        return "Refused: " + " or ".join([words[0], *(word[:1].lower() + word[1:] for word in words[1:])])
    if action.startswith("import."):
        return f"Imported {action.removeprefix('import.').replace('_', ' ')}"
    return action.replace(".", " ").replace("_", " ").capitalize() or DASH


def _present(value: object) -> object:
    """A cell of the log as Python reads it: pandas' NaN for a missing value becomes None."""
    return None if isinstance(value, float) and math.isnan(value) else value


def _who(user_id: object, names: Mapping[int, str]) -> str:
    if user_id is None:
        return "Nobody signed in"
    return names.get(int(user_id), "a user no longer on file")


def _describe_object(object_type: str | None, object_id: str | None, names: Mapping[int, str]) -> str:
    if not object_type:
        return DASH
    if object_type == "user" and str(object_id).isdigit():
        return f"User {names.get(int(object_id), 'no longer on file')}"
    if object_type == "role":
        return f"Role {role_label(str(object_id))}"
    kind = OBJECT_WORDS.get(object_type, object_type.replace("_", " ").capitalize())
    return f"{kind} {object_id}" if object_id else kind


def _describe_details(details: object, names: Mapping[int, str]) -> str:
    """A event's details as 'Roles: Sales rep → Sales manager' or 'Reason: wrong password · Failed attempts: 3'."""
    if not details:
        return DASH
    if not isinstance(details, dict):
        return str(details)
    details, parts = dict(details), []
    if "before" in details and "after" in details:
        parts.append(f"Roles: {_roles(details.pop('before'))} → {_roles(details.pop('after'))}")
    for key, value in details.items():
        parts.append(f"{DETAIL_WORDS.get(key, key.replace('_', ' ').capitalize())}: {_detail(key, value, names)}")
    return " · ".join(parts)


def _detail(key: str, value: object, names: Mapping[int, str]) -> str:
    if value is None or value == "" or value == []:
        return DASH
    if key == "user_id" and str(value).isdigit():
        return names.get(int(value), "no longer on file")
    if key == "permission":
        return PERMISSIONS.get(str(value), str(value))
    if key == "roles":
        return _roles(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{item}: {count}" for item, count in value.items())
    return str(value)


def _roles(roles: object) -> str:
    return ", ".join(role_label(str(role)) for role in roles) if isinstance(roles, list | tuple) and roles else "none"


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
