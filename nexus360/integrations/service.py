"""The integration database's side of the integrations: connector configs and their run log.

The Microsoft Graph directory sync itself (users into the auth database) is `flows.run_directory_sync`;
this module records its runs and answers "how did the last one go".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.config import Settings
from nexus360.integrations import repository
from nexus360.integrations.client import SECRET_REFERENCE
from nexus360.integrations.schemas import SyncResult

DIRECTORY_SYNC_NAME = "Microsoft Graph directory sync"
DIRECTORY_SYNC_TYPE = "msgraph"
DIRECTORY_SYNC_EVENT = "directory_sync"
MAX_LOGGED_ERRORS = 100  # one tenant-wide problem can produce an error per user; keep the log readable


def last_sync(session: Session, principal: Principal) -> dict[str, Any] | None:
    """The newest directory-sync run: when, status, counts and errors (None if it never ran)."""
    auth_service.require_any(principal, "admin.users", "integrations.manage")
    log = repository.get_latest_log(session, integration_type=DIRECTORY_SYNC_TYPE, event_type=DIRECTORY_SYNC_EVENT)
    if log is None:
        return None
    return {"at": log.created_at, "status": log.status, "counts": dict(log.payload or {}),
            "errors": log.error_message.splitlines() if log.error_message else []}


def log_directory_sync(
    session: Session, principal: Principal | auth_service.SystemActor, *, settings: Settings, result: SyncResult,
    elapsed_ms: int,
) -> None:
    """One log row for a sync run (counts, duration, the first errors), on the sync's config row."""
    auth_service.require_directory_sync(principal)
    config_id = _directory_sync_config(session, settings)
    errors = result.errors[:MAX_LOGGED_ERRORS]
    if len(result.errors) > MAX_LOGGED_ERRORS:
        errors.append(f"… and {len(result.errors) - MAX_LOGGED_ERRORS} more")
    repository.add_log(
        session, integration_id=config_id, event_type=DIRECTORY_SYNC_EVENT, status=result.status,
        payload={**result.counts(), "listing_complete": result.listing_complete, "duration_ms": elapsed_ms},
        error_message="\n".join(errors) or None,
    )


def _directory_sync_config(session: Session, settings: Settings) -> int:
    """The sync's integration_configs row, created on first run; it holds a reference to the secret only."""
    wanted = {"tenant_id": settings.graph_tenant_id, "client_id": settings.graph_client_id,
              "client_secret": SECRET_REFERENCE,
              "authority": f"{settings.graph_authority_host.rstrip('/')}/{settings.graph_tenant_id}"}
    config = repository.find_config(session, type=DIRECTORY_SYNC_TYPE, name=DIRECTORY_SYNC_NAME)
    if config is None:
        config = repository.add_config(session, name=DIRECTORY_SYNC_NAME, type=DIRECTORY_SYNC_TYPE, config=wanted)
    elif any(config.config.get(key) != value for key, value in wanted.items()):
        repository.set_config(session, config, {**config.config, **wanted})
    return config.id
