"""The directory sync's side of the integration database: its connector row, its cursor and its run log.

The Microsoft Graph directory sync itself (users into the auth database) is `flows.run_directory_sync`;
this module finds the connector a run belongs to, keeps Graph's deltaLink between runs, records each run
(through logs.record_run, so it counts in the connector's health) and answers "how did the last one go".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.common.clock import SYSTEM_CLOCK, Clock
from nexus360.config import Settings
from nexus360.integrations import repository
from nexus360.integrations.client import SECRET_REFERENCE
from nexus360.integrations.connectors.schemas import GRAPH
from nexus360.integrations.logs import service as logs
from nexus360.integrations.schemas import SyncResult

DIRECTORY_SYNC_NAME = "Microsoft Graph directory sync"
DIRECTORY_SYNC_TYPE = GRAPH
DIRECTORY_SYNC_EVENT = "directory_sync"
MAX_LOGGED_ERRORS = 100  # one tenant-wide problem can produce an error per user; keep the log readable
DEFAULT_FULL_SYNC = timedelta(hours=24)


@dataclass(frozen=True)
class Cursor:
    """Where the next run starts: the connector, and Graph's deltaLink unless a full listing is due."""

    connector_id: int
    delta_link: str | None


def last_sync(session: Session, principal: Principal) -> dict[str, Any] | None:
    """The newest directory-sync run: when, status, counts and errors (None if it never ran)."""
    auth_service.require_any(principal, "admin.users", "integrations.manage")
    log = repository.get_latest_log(session, integration_type=DIRECTORY_SYNC_TYPE, event_type=DIRECTORY_SYNC_EVENT)
    if log is None:
        return None
    return {"at": log.created_at, "status": log.status, "counts": dict(log.payload or {}),
            "errors": log.error_message.splitlines() if log.error_message else []}


def directory_cursor(session: Session, principal: Principal | auth_service.SystemActor, *, settings: Settings,
                     connector_id: int | None = None, clock: Clock = SYSTEM_CLOCK) -> Cursor:
    """The connector of this run (given, else the first active, else one made from the settings) and its
    deltaLink, unless the connector's full-listing interval (default a day) has passed since it was saved."""
    auth_service.require_directory_sync(principal)
    config = repository.get_config(session, connector_id) if connector_id else None
    config = config or repository.first_active(session, type=DIRECTORY_SYNC_TYPE)
    if config is None:
        config = repository.add_config(session, name=DIRECTORY_SYNC_NAME, type=DIRECTORY_SYNC_TYPE, config={
            "tenant_id": settings.graph_tenant_id, "client_id": settings.graph_client_id,
            "client_secret": SECRET_REFERENCE, "sync_interval_minutes": 0, "full_sync_hours": 24})
    state = repository.get_states(session, [config.id]).get(config.id)
    full_every = timedelta(hours=int((config.config or {}).get("full_sync_hours") or 24))
    fresh = state is not None and state.cursor and state.cursor_at and clock.now() - state.cursor_at < full_every
    return Cursor(connector_id=config.id, delta_link=state.cursor if fresh else None)


def log_directory_sync(
    session: Session, principal: Principal | auth_service.SystemActor, *, cursor: Cursor, settings: Settings,
    result: SyncResult, elapsed_ms: int, delta_link: str | None, clock: Clock = SYSTEM_CLOCK,
) -> None:
    """One log row for a sync run (counts, duration, the first errors); the next run's deltaLink if it finished."""
    auth_service.require_directory_sync(principal)
    errors = result.errors[:MAX_LOGGED_ERRORS]
    if len(result.errors) > MAX_LOGGED_ERRORS:
        errors.append(f"… and {len(result.errors) - MAX_LOGGED_ERRORS} more")
    logs.record_run(
        session, auth_service.SYSTEM, integration_id=cursor.connector_id, event_type=DIRECTORY_SYNC_EVENT,
        status=result.status, settings=settings, clock=clock, duration_ms=elapsed_ms,
        payload={**result.counts(), "mode": result.mode, "listing_complete": result.listing_complete,
                 "duration_ms": elapsed_ms},
        error="\n".join(errors) or None)
    if result.listing_complete and delta_link:
        # A full round restarts the full-listing interval; a round of changes keeps the last full round's time.
        repository.set_cursor(session, cursor.connector_id, cursor=delta_link,
                              at=clock.now() if cursor.delta_link is None else None)
