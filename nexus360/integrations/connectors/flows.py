"""Connector changes as admin actions: the change in the integration database, then one audit event in the
auth database (its own transaction, written only once the change is saved). The page and the command line
change connectors through these."""

from __future__ import annotations

from typing import Any

from nexus360.auth.audit import service as audit
from nexus360.auth.schemas import Principal
from nexus360.config import Settings
from nexus360.db import Database, session_scope
from nexus360.integrations.connectors import service
from nexus360.integrations.connectors.schemas import ConnectorRead, Created


def _audit(principal: Principal, action: str, name: str, details: dict[str, Any]) -> None:
    with session_scope(Database.AUTH, actor=principal) as session:
        audit.record(session, user_id=principal.id, action=f"integrations.{action}", result=audit.ALLOWED,
                     object_type="integration", object_id=name, details=details)


def add_connector(principal: Principal, *, type: str, name: str, values: dict[str, Any],
                  settings: Settings) -> Created:
    """Add a connector (integrations.manage) and audit it."""
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        created = service.add_connector(session, principal, type=type, name=name, values=values, settings=settings)
    _audit(principal, "add", created.connector.name, {"type": type})
    return created


def update_connector(principal: Principal, *, connector_id: int, values: dict[str, Any], settings: Settings,
                     name: str | None = None) -> ConnectorRead:
    """Change a connector's settings (a secret left empty is kept) and audit it (never the values)."""
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        changed = service.update_connector(session, principal, connector_id=connector_id, values=values,
                                           settings=settings, name=name)
    _audit(principal, "update", changed.name, {"type": changed.type})
    return changed


def set_active(principal: Principal, *, connector_id: int, active: bool, settings: Settings) -> ConnectorRead:
    """Switch a connector on or off and audit it."""
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        changed = service.set_active(session, principal, connector_id=connector_id, active=active, settings=settings)
    _audit(principal, "enable" if active else "disable", changed.name, {"type": changed.type})
    return changed


def delete_connector(principal: Principal, *, connector_id: int) -> str:
    """Delete a connector with its run log and audit it."""
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        name = service.delete_connector(session, principal, connector_id=connector_id)
    _audit(principal, "delete", name, {})
    return name
