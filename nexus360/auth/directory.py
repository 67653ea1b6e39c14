"""Directory sync: users and their roles from Microsoft Graph into the auth database, logged per run.

Users live in the auth database and the run log in the integration database, so they cannot share a
transaction. `sync_directory` writes to both sessions; callers open the integration scope *outside*
the auth scope, so the user changes commit first and the log row after them:

    with session_scope(Database.INTEGRATION) as log, session_scope(Database.AUTH, admin=False) as auth:
        result = sync_directory(auth, log, SYSTEM, client=GraphClient.from_settings(settings), settings=settings)

A rerun is safe: users are matched by their Entra object id, so nothing is created twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from nexus360.auth.audit import service as audit
from nexus360.auth.models import Role, User, UserRole
from nexus360.auth.schemas import ADMIN, LOCAL_AZURE_ID_PREFIX, Principal
from nexus360.auth.service import require, require_any
from nexus360.common.errors import AuthorizationError
from nexus360.config import Settings
from nexus360.integrations.graph import SECRET_REFERENCE, GraphError, GraphUser
from nexus360.integrations.models import IntegrationConfig, IntegrationLog

INTEGRATION_NAME = "Microsoft Graph directory sync"
INTEGRATION_TYPE = "msgraph"
EVENT_TYPE = "directory_sync"
MAX_LOGGED_ERRORS = 100  # one tenant-wide problem can produce an error per user; keep the log readable


class SystemActor:
    """The operator running the sync from the command line (or a scheduler), not a signed-in user."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


class DirectoryClient(Protocol):
    """What the sync needs from Microsoft Graph (`nexus360.integrations.graph.GraphClient`)."""

    def iter_users(self) -> Iterator[GraphUser]: ...

    def list_group_ids(self, user_id: str) -> list[str]: ...


class SyncResult(BaseModel):
    status: str = "success"  # success | partial | error
    users_seen: int = 0
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    role_changes: int = 0
    listing_complete: bool = False
    errors: list[str] = []

    def counts(self) -> dict[str, int]:
        return self.model_dump(include={"users_seen", "created", "updated", "deactivated", "unchanged", "role_changes"})


@dataclass
class _Run:
    """One sync run: its sessions and settings, and the auth database as loaded at its start."""

    session: Session
    client: DirectoryClient
    principal_id: int | None
    result: SyncResult
    listed_ids: set[str]
    groups_to_roles: dict[str, str] = field(default_factory=dict)  # Entra group id -> Nexus360 role name
    default_role: str | None = None
    by_azure_id: dict[str, User] = field(default_factory=dict)
    by_email: dict[str, User] = field(default_factory=dict)
    roles_of: dict[int, set[str]] = field(default_factory=dict)
    role_ids: dict[str, int] = field(default_factory=dict)

    def load(self) -> None:
        """(Re)read users and roles; also after a failed row, whose savepoint rollback the maps must follow."""
        users = list(self.session.scalars(select(User)))
        self.by_azure_id = {user.azure_id: user for user in users}
        self.by_email = {user.email.lower(): user for user in users}
        self.roles_of = {user.id: set() for user in users}
        statement = select(UserRole.user_id, Role.name).join(Role, Role.id == UserRole.role_id)
        for user_id, role in self.session.execute(statement):
            self.roles_of.setdefault(user_id, set()).add(role)
        self.role_ids = dict(self.session.execute(select(Role.name, Role.id)).all())


def sync_directory(
    auth_session: Session,
    integration_session: Session,
    principal: Principal | SystemActor,
    *,
    client: DirectoryClient,
    settings: Settings,
) -> SyncResult:
    """Create, update and deactivate users from the tenant; map groups to roles; log and audit the run."""
    _check_allowed(principal)
    started = time.monotonic()
    result = SyncResult()
    graph_users = _list_users(client, result)
    run = _Run(auth_session, client, _user_id(principal), result, listed_ids={user.id for user in graph_users})
    run.load()
    _read_role_settings(run, settings)
    for graph_user in graph_users:
        _sync_one(run, graph_user)
    if result.listing_complete:  # never on a partial listing: the missing users may simply be unlisted
        _deactivate_missing(run)
    result.status = _status(result)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    audit.record(auth_session, user_id=run.principal_id, action="directory.sync",
                 result=audit.FAILED if result.status == "error" else audit.ALLOWED,
                 object_type="integration", object_id=INTEGRATION_NAME,
                 details={"status": result.status, **result.counts(), "errors": len(result.errors)})
    _log_run(integration_session, settings, result, elapsed_ms)
    return result


def last_sync(integration_session: Session, principal: Principal) -> dict[str, Any] | None:
    """The newest directory-sync run: when, status, counts and errors (None if it never ran)."""
    require_any(principal, "admin.users", "integrations.manage")
    statement = (
        select(IntegrationLog)
        .join(IntegrationConfig, IntegrationConfig.id == IntegrationLog.integration_id)
        .where(IntegrationConfig.type == INTEGRATION_TYPE, IntegrationLog.event_type == EVENT_TYPE)
        .order_by(IntegrationLog.created_at.desc(), IntegrationLog.id.desc())
        .limit(1)
    )
    log = integration_session.scalars(statement).first()
    if log is None:
        return None
    return {"at": log.created_at, "status": log.status, "counts": dict(log.payload or {}),
            "errors": log.error_message.splitlines() if log.error_message else []}


# --- steps ----------------------------------------------------------------------------------------


def _check_allowed(principal: Principal | SystemActor) -> None:
    if isinstance(principal, SystemActor):
        return
    if not isinstance(principal, Principal):  # e.g. None from a missing session: never a silent system run
        raise AuthorizationError("admin.users")
    require(principal, "admin.users")


def _user_id(principal: Principal | SystemActor) -> int | None:
    return principal.id if isinstance(principal, Principal) else None


def _list_users(client: DirectoryClient, result: SyncResult) -> list[GraphUser]:
    users: list[GraphUser] = []
    try:
        users.extend(client.iter_users())
    except GraphError as error:
        result.errors.append(f"Listing the tenant's users stopped after {len(users)}: {error}")
        return users
    result.listing_complete = True
    return users


def _read_role_settings(run: _Run, settings: Settings) -> None:
    unknown = sorted({role for role in settings.entra_role_map.values() if role not in run.role_ids})
    if unknown:
        run.result.errors.append(f"entra_role_map names unknown role(s), ignored: {', '.join(unknown)}")
    run.groups_to_roles = {key: role for key, role in settings.entra_role_map.items() if role in run.role_ids}
    run.default_role = settings.entra_default_role or None
    if run.default_role and run.default_role not in run.role_ids:
        run.result.errors.append(f"entra_default_role '{run.default_role}' is not a role; new users get no role")
        run.default_role = None


def _sync_one(run: _Run, graph_user: GraphUser) -> None:
    run.result.users_seen += 1
    email = (graph_user.mail or graph_user.user_principal_name or "").strip()
    if not graph_user.id or "@" not in email or len(email) > 255:
        label = graph_user.display_name or graph_user.id or "a user without id"
        run.result.errors.append(f"{label}: no usable email address (mail or userPrincipalName); skipped")
        return
    try:
        with run.session.begin_nested():  # a rejected row rolls back alone; the run goes on
            outcome = _apply(run, graph_user, email)
    except (_Rejected, GraphError) as error:  # raised before anything changed
        run.result.errors.append(f"{email}: {error}")
        return
    except SQLAlchemyError as error:
        run.result.errors.append(f"{email}: {_first_line(error)}")
        run.load()
        return
    setattr(run.result, outcome, getattr(run.result, outcome) + 1)


class _Rejected(Exception):
    """This Graph user cannot be synced; the message says why."""


def _apply(run: _Run, graph_user: GraphUser, email: str) -> str:
    """Sync one user; returns which count it adds to: created, updated, deactivated or unchanged."""
    user = _match(run, graph_user, email)
    roles = _mapped_roles(run, graph_user)
    if user is None:
        _create(run, graph_user, email, roles or ({run.default_role} if run.default_role else set()))
        return "created"
    changed = _update_fields(run, user, graph_user, email)
    if roles is not None and _replace_roles(run, user, roles):
        run.result.role_changes += 1
        changed = True
    if not graph_user.account_enabled and user.is_active is not False:
        refusal = _deactivation_refusal(run, user)
        if refusal is None:
            user.is_active = False
            run.session.flush()
            return "deactivated"
        run.result.errors.append(f"{email}: disabled in the tenant but kept active ({refusal})")
    run.session.flush()
    return "updated" if changed else "unchanged"


def _match(run: _Run, graph_user: GraphUser, email: str) -> User | None:
    user = run.by_azure_id.get(graph_user.id)
    if user is not None:
        return user
    user = run.by_email.get(email.lower())
    if user is not None and user.azure_id in run.listed_ids:
        raise _Rejected(f"the email address already belongs to Entra user {user.azure_id}; skipped")
    return user


def _mapped_roles(run: _Run, graph_user: GraphUser) -> set[str] | None:
    """Roles from the user's groups; None when no group maps (the user then keeps their roles)."""
    if not run.groups_to_roles:
        return None  # nothing could map: spare Graph one request per user
    groups = run.client.list_group_ids(graph_user.id)
    return {run.groups_to_roles[group] for group in groups if group in run.groups_to_roles} or None


def _names(graph_user: GraphUser) -> tuple[str | None, str | None]:
    first, last = graph_user.given_name, graph_user.surname
    if not first and not last and graph_user.display_name:  # service accounts often have a display name only
        first, _, last = graph_user.display_name.strip().partition(" ")
    return (first or None) and first[:100], (last or None) and last[:100]


def _create(run: _Run, graph_user: GraphUser, email: str, roles: set[str]) -> None:
    first, last = _names(graph_user)
    user = User(azure_id=graph_user.id, email=email, first_name=first, last_name=last,
                is_active=graph_user.account_enabled)
    run.session.add(user)
    run.session.flush()
    run.session.add_all(UserRole(user_id=user.id, role_id=run.role_ids[role]) for role in sorted(roles))
    run.session.flush()
    run.by_azure_id[user.azure_id] = user
    run.by_email[email.lower()] = user
    run.roles_of[user.id] = set(roles)


def _update_fields(run: _Run, user: User, graph_user: GraphUser, email: str) -> bool:
    first, last = _names(graph_user)
    changed = (user.first_name, user.last_name) != (first, last)
    user.first_name, user.last_name = first, last
    if user.azure_id != graph_user.id:  # matched by email: remember the Entra id from now on
        run.by_azure_id.pop(user.azure_id, None)
        user.azure_id = graph_user.id
        run.by_azure_id[user.azure_id] = user
        changed = True
    if user.email != email:
        owner = run.by_email.get(email.lower())
        if owner is not None and owner is not user:
            run.result.errors.append(f"{email}: already the address of another user; kept {user.email}")
        else:
            run.by_email.pop(user.email.lower(), None)
            user.email = email
            run.by_email[email.lower()] = user
            changed = True
    return changed


def _replace_roles(run: _Run, user: User, roles: set[str]) -> bool:
    current = run.roles_of.get(user.id, set())
    if ADMIN in current and ADMIN not in roles:
        refusal = _deactivation_refusal(run, user)
        if refusal:
            run.result.errors.append(f"{user.email}: kept the admin role ({refusal})")
            roles = roles | {ADMIN}
    if roles == current:
        return False
    run.session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    run.session.add_all(UserRole(user_id=user.id, role_id=run.role_ids[role]) for role in sorted(roles))
    run.session.flush()
    run.roles_of[user.id] = set(roles)
    return True


def _deactivation_refusal(run: _Run, user: User) -> str | None:
    """Why the sync must not take this user's access away, if it must not: nobody could undo it then."""
    if user.id == run.principal_id:
        return "it is the account running the sync"
    if ADMIN in run.roles_of.get(user.id, set()) and not _another_active_admin(run.session, user.id):
        return "the last active administrator"
    return None


def _another_active_admin(session: Session, user_id: int) -> bool:
    statement = (
        select(func.count(User.id))
        .join(UserRole, UserRole.user_id == User.id)
        .join(Role, Role.id == UserRole.role_id)
        .where(Role.name == ADMIN, User.id != user_id, func.coalesce(User.is_active, True))
    )
    return bool(session.execute(statement).scalar_one())


def is_local_azure_id(azure_id: str) -> bool:
    """Accounts created in Nexus360 (demo, local sign-in) carry 'local:…' until Entra claims them."""
    return azure_id.startswith(LOCAL_AZURE_ID_PREFIX)


def _deactivate_missing(run: _Run) -> None:
    if not run.listed_ids:  # an empty tenant is far likelier a wrong tenant id than a company of nobody
        run.result.errors.append("The tenant listed no users; deactivated nobody (check NEXUS360_GRAPH_TENANT_ID).")
        return
    for azure_id, user in sorted(run.by_azure_id.items()):
        if azure_id in run.listed_ids or user.is_active is False or is_local_azure_id(azure_id):
            continue  # local-only accounts never came from the tenant, so its listing says nothing of them
        refusal = _deactivation_refusal(run, user)
        if refusal:
            run.result.errors.append(f"{user.email}: gone from the tenant but kept active ({refusal})")
            continue
        user.is_active = False
        run.session.flush()  # before the next user's last-administrator check counts active admins
        run.result.deactivated += 1


def _status(result: SyncResult) -> str:
    if not result.listing_complete and result.users_seen == 0:
        return "error"
    return "partial" if result.errors else "success"


def _log_run(session: Session, settings: Settings, result: SyncResult, elapsed_ms: int) -> None:
    config = _integration_config(session, settings)
    errors = result.errors[:MAX_LOGGED_ERRORS]
    if len(result.errors) > MAX_LOGGED_ERRORS:
        errors.append(f"… and {len(result.errors) - MAX_LOGGED_ERRORS} more")
    session.add(IntegrationLog(
        integration_id=config.id, event_type=EVENT_TYPE, status=result.status,
        payload={**result.counts(), "listing_complete": result.listing_complete, "duration_ms": elapsed_ms},
        error_message="\n".join(errors) or None,
    ))
    session.flush()


def _integration_config(session: Session, settings: Settings) -> IntegrationConfig:
    """The sync's integration_configs row, created on first run; it holds a reference to the secret only."""
    wanted = {"tenant_id": settings.graph_tenant_id, "client_id": settings.graph_client_id,
              "client_secret": SECRET_REFERENCE,
              "authority": f"{settings.graph_authority_host.rstrip('/')}/{settings.graph_tenant_id}"}
    statement = select(IntegrationConfig).where(
        IntegrationConfig.type == INTEGRATION_TYPE, func.lower(IntegrationConfig.name) == INTEGRATION_NAME.lower()
    ).order_by(IntegrationConfig.id)
    config = session.scalars(statement).first()
    if config is None:
        config = IntegrationConfig(name=INTEGRATION_NAME, type=INTEGRATION_TYPE, config=wanted)
        session.add(config)
    elif any(config.config.get(key) != value for key, value in wanted.items()):
        config.config = {**config.config, **wanted}  # a new dict: JSONB changes in place are not tracked
    session.flush()
    return config


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__

