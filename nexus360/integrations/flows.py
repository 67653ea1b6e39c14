"""Microsoft Graph directory sync: users and their roles from the tenant into the auth database.

Users live in the auth database, reached only through auth's service (its "directory sync" functions),
and the run log in the integration database; the two cannot share a transaction. `sync_directory`
writes through both sessions; `run_directory_sync` opens the integration scope *outside* the auth
scope, so the user changes commit first and the log row after them.

A rerun is safe: users are matched by their Entra object id, so nothing is created twice.

Runs use Graph's delta query: the first run (and one a day, the connector's `full_sync_hours`) lists every
user and keeps the deltaLink Graph ends with; the next runs ask that link for what changed, so a run with no
changes is one request and transfers nothing. Only a full listing deactivates users missing from it; a
round of changes deactivates the users Graph says were removed. Group-only changes (a user added to a
mapped group) reach the roles at the next full listing or at the user's next sign-in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import ADMIN, LOCAL_AZURE_ID_PREFIX, Principal
from nexus360.auth.service import SystemActor
from nexus360.common.clock import SYSTEM_CLOCK, Clock
from nexus360.config import Settings
from nexus360.db import Database, session_scope
from nexus360.integrations import service
from nexus360.integrations.client import (
    GraphClient,
    GraphDeltaExpired,
    GraphError,
    GraphListingStopped,
    GraphUser,
    UserChanges,
)
from nexus360.integrations.schemas import SyncResult


class DirectoryClient(Protocol):
    """What the sync needs from Microsoft Graph (`nexus360.integrations.client.GraphClient`)."""

    def user_changes(self, delta_link: str | None) -> UserChanges: ...

    def list_group_ids(self, user_id: str) -> list[str]: ...


def run_directory_sync(principal: Principal | SystemActor, *, settings: Settings, connector_id: int | None = None,
                       clock: Clock = SYSTEM_CLOCK) -> SyncResult:
    """Sync users from Microsoft Graph: user changes commit first, then the run's log row.

    Auth and integration may sit on different servers, so this is two transactions, nested so the
    log is written only once the users are saved (a failed log write leaves correct users behind).
    """
    actor = principal if isinstance(principal, Principal) else None
    client = GraphClient.from_settings(settings)
    try:
        with (
            session_scope(Database.INTEGRATION, actor=actor) as log_session,
            session_scope(Database.AUTH, actor=actor) as auth_session,
        ):
            return sync_directory(auth_session, log_session, principal, client=client, settings=settings,
                                  connector_id=connector_id, clock=clock)
    finally:
        client.close()


def sync_directory(
    auth_session: Session,
    integration_session: Session,
    principal: Principal | SystemActor,
    *,
    client: DirectoryClient,
    settings: Settings,
    connector_id: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> SyncResult:
    """Create, update and deactivate users from the tenant; map groups to roles; log and audit the run."""
    auth_service.require_directory_sync(principal)
    started = time.monotonic()
    result = SyncResult()
    cursor = service.directory_cursor(integration_session, principal, settings=settings, connector_id=connector_id,
                                      clock=clock)
    changes = _list_changes(client, result, cursor.delta_link)
    graph_users = changes.users
    run = _Run(auth_session, principal, client, result, listed_ids={user.id for user in graph_users})
    run.load()
    _read_role_settings(run, settings)
    for graph_user in graph_users:
        _sync_one(run, graph_user)
    if result.listing_complete and changes.full:  # never on a partial listing: the missing may simply be unlisted
        _deactivate_missing(run)
    elif result.listing_complete:
        _deactivate_removed(run, changes.removed)
    result.status = _status(result)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    auth_service.record_directory_sync(
        auth_session, principal, failed=result.status == "error", integration=service.DIRECTORY_SYNC_NAME,
        details={"status": result.status, **result.counts(), "errors": len(result.errors)})
    service.log_directory_sync(integration_session, principal, cursor=cursor, settings=settings, result=result,
                               elapsed_ms=elapsed_ms, delta_link=changes.delta_link, clock=clock)
    return result


# --- one run --------------------------------------------------------------------------------------


@dataclass
class _User:
    """A Nexus360 user as this run knows them, kept up to date with the run's own writes."""

    id: int
    azure_id: str
    email: str
    first_name: str | None
    last_name: str | None
    is_active: bool
    roles: set[str]


@dataclass
class _Run:
    """One sync run: the auth session and who acts, and the auth database as loaded at its start."""

    session: Session
    principal: Principal | SystemActor
    client: DirectoryClient
    result: SyncResult
    listed_ids: set[str]
    groups_to_roles: dict[str, str] = field(default_factory=dict)  # Entra group id -> Nexus360 role name
    default_role: str | None = None
    by_azure_id: dict[str, _User] = field(default_factory=dict)
    by_email: dict[str, _User] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()

    def load(self) -> None:
        """(Re)read users and roles; also after a failed row, whose savepoint rollback the maps must follow."""
        snapshot = auth_service.get_directory_snapshot(self.session, self.principal)
        users = [_User(id=user.id, azure_id=user.azure_id, email=user.email, first_name=user.first_name,
                       last_name=user.last_name, is_active=user.is_active, roles=set(user.roles))
                 for user in snapshot.users]
        self.by_azure_id = {user.azure_id: user for user in users}
        self.by_email = {user.email.lower(): user for user in users}
        self.roles = snapshot.roles

    @property
    def principal_id(self) -> int | None:
        return self.principal.id if isinstance(self.principal, Principal) else None


def _list_changes(client: DirectoryClient, result: SyncResult, delta_link: str | None) -> UserChanges:
    """This round's users: what changed since `delta_link`, or everyone (no link, or Graph forgot it)."""
    try:
        try:
            changes = client.user_changes(delta_link)
        except GraphDeltaExpired:
            changes = client.user_changes(None)
    except GraphListingStopped as error:
        result.errors.append(f"Listing the tenant's users stopped after {len(error.users)}: {error}")
        return UserChanges(users=error.users, removed=[], delta_link=None, full=delta_link is None)
    except GraphError as error:
        result.errors.append(f"Listing the tenant's users failed: {error}")
        return UserChanges(users=[], removed=[], delta_link=None, full=delta_link is None)
    result.listing_complete = True
    result.mode = "full" if changes.full else "changes"
    return changes


def _read_role_settings(run: _Run, settings: Settings) -> None:
    unknown = sorted({role for role in settings.entra_role_map.values() if role not in run.roles})
    if unknown:
        run.result.errors.append(f"entra_role_map names unknown role(s), ignored: {', '.join(unknown)}")
    run.groups_to_roles = {key: role for key, role in settings.entra_role_map.items() if role in run.roles}
    run.default_role = settings.entra_default_role or None
    if run.default_role and run.default_role not in run.roles:
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
    if not graph_user.account_enabled and user.is_active:
        refusal = _deactivation_refusal(run, user)
        if refusal is None:
            auth_service.deactivate_directory_user(run.session, run.principal, user_id=user.id)
            user.is_active = False
            return "deactivated"
        run.result.errors.append(f"{email}: disabled in the tenant but kept active ({refusal})")
    return "updated" if changed else "unchanged"


def _match(run: _Run, graph_user: GraphUser, email: str) -> _User | None:
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
    created = auth_service.create_directory_user(
        run.session, run.principal, azure_id=graph_user.id, email=email, first_name=first, last_name=last,
        is_active=graph_user.account_enabled, roles=roles)
    user = _User(id=created.id, azure_id=created.azure_id, email=email, first_name=first, last_name=last,
                 is_active=graph_user.account_enabled, roles=set(roles))
    run.by_azure_id[user.azure_id] = user
    run.by_email[email.lower()] = user


def _update_fields(run: _Run, user: _User, graph_user: GraphUser, email: str) -> bool:
    first, last = _names(graph_user)
    changed = (user.first_name, user.last_name) != (first, last)
    new_email = user.email
    if user.email != email:
        owner = run.by_email.get(email.lower())
        if owner is not None and owner is not user:
            run.result.errors.append(f"{email}: already the address of another user; kept {user.email}")
        else:
            new_email = email
    changed = changed or user.azure_id != graph_user.id or new_email != user.email
    if not changed:
        return False
    auth_service.update_directory_user(run.session, run.principal, user_id=user.id, azure_id=graph_user.id,
                                       email=new_email, first_name=first, last_name=last)
    user.first_name, user.last_name = first, last
    if user.azure_id != graph_user.id:  # matched by email: remember the Entra id from now on
        run.by_azure_id.pop(user.azure_id, None)
        user.azure_id = graph_user.id
        run.by_azure_id[user.azure_id] = user
    if user.email != new_email:
        run.by_email.pop(user.email.lower(), None)
        user.email = new_email
        run.by_email[new_email.lower()] = user
    return True


def _replace_roles(run: _Run, user: _User, roles: set[str]) -> bool:
    if ADMIN in user.roles and ADMIN not in roles:
        refusal = _deactivation_refusal(run, user)
        if refusal:
            run.result.errors.append(f"{user.email}: kept the admin role ({refusal})")
            roles = roles | {ADMIN}
    if roles == user.roles:
        return False
    auth_service.replace_directory_roles(run.session, run.principal, user_id=user.id, roles=roles)
    user.roles = set(roles)
    return True


def _deactivation_refusal(run: _Run, user: _User) -> str | None:
    """Why the sync must not take this user's access away, if it must not: nobody could undo it then."""
    if user.id == run.principal_id:
        return "it is the account running the sync"
    if ADMIN in user.roles and not auth_service.has_another_active_admin(run.session, run.principal, user_id=user.id):
        return "the last active administrator"
    return None


def _deactivate_missing(run: _Run) -> None:
    if not run.listed_ids:  # an empty tenant is far likelier a wrong tenant id than a company of nobody
        run.result.errors.append("The tenant listed no users; deactivated nobody (check NEXUS360_GRAPH_TENANT_ID).")
        return
    for azure_id, user in sorted(run.by_azure_id.items(), key=lambda item: item[0]):
        if azure_id in run.listed_ids or not user.is_active or azure_id.startswith(LOCAL_AZURE_ID_PREFIX):
            continue  # local-only accounts never came from the tenant, so its listing says nothing of them
        refusal = _deactivation_refusal(run, user)
        if refusal:
            run.result.errors.append(f"{user.email}: gone from the tenant but kept active ({refusal})")
            continue
        # written at once: the next user's last-administrator check counts the active admins
        auth_service.deactivate_directory_user(run.session, run.principal, user_id=user.id)
        user.is_active = False
        run.result.deactivated += 1


def _deactivate_removed(run: _Run, removed: list[str]) -> None:
    """A round of changes: deactivate the users Graph reports deleted (kept when the rules below refuse)."""
    for azure_id in removed:
        user = run.by_azure_id.get(azure_id)
        if user is None or not user.is_active or azure_id.startswith(LOCAL_AZURE_ID_PREFIX):
            continue
        refusal = _deactivation_refusal(run, user)
        if refusal:
            run.result.errors.append(f"{user.email}: removed from the tenant but kept active ({refusal})")
            continue
        auth_service.deactivate_directory_user(run.session, run.principal, user_id=user.id)
        user.is_active = False
        run.result.deactivated += 1


def _status(result: SyncResult) -> str:
    if not result.listing_complete and result.users_seen == 0:
        return "error"
    return "partial" if result.errors else "success"


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
