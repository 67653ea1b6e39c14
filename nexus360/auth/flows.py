"""Workflows of the auth domain that span two databases (auth and integration)."""

from __future__ import annotations

from nexus360.auth import directory
from nexus360.auth.schemas import Principal
from nexus360.config import Settings
from nexus360.db import Database, session_scope
from nexus360.integrations.graph import GraphClient


def run_directory_sync(principal: Principal | directory.SystemActor, *, settings: Settings) -> directory.SyncResult:
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
            return directory.sync_directory(auth_session, log_session, principal, client=client, settings=settings)
    finally:
        client.close()
