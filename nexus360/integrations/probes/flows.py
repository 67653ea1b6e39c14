""""Test connection": read the connector (one transaction), talk to the outside system (none), log the result.

The exchange with the outside system happens between two transactions, so a slow server holds no database
connection; the result is logged as a `test_connection` run of the connector and counts in its health.
"""

from __future__ import annotations

import time

from nexus360.auth.schemas import Principal
from nexus360.common.clock import SYSTEM_CLOCK, Clock
from nexus360.common.errors import ValidationError
from nexus360.config import Settings
from nexus360.db import Database, session_scope
from nexus360.integrations import repository
from nexus360.integrations.connectors import service
from nexus360.integrations.connectors.schemas import AI, GRAPH, SMTP, WEBHOOK, SmtpConfig, TestResult
from nexus360.integrations.logs import service as logs
from nexus360.integrations.probes import client

TEST_EVENT = "test_connection"


def test_connection(principal: Principal, *, name: str, settings: Settings, clock: Clock = SYSTEM_CLOCK) -> TestResult:
    """Try the named connector once and log the result (integrations.manage)."""
    service.require_manage(principal)
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        connector = service.get_connector(session, principal, name=name, settings=settings)
        row = repository.get_config(session, connector.id)
        assert row is not None
        config = dict(row.config)
        effective = _effective(session, principal, connector.type, connector.id, settings)
        secret = service.resolve_secret(config.get("secret"), settings) if connector.type == WEBHOOK else None
    started = time.monotonic()
    if connector.type == WEBHOOK:
        if not secret:
            raise ValidationError(f"The webhook {connector.name!r} has no signing secret available: set the "
                                  "variable or secrets.toml key it names, or paste a secret in its settings.")
        ok, message, details = client.test_webhook(config["url"], secret, allow_private=bool(config.get(
            "allow_private")), timeout=settings.webhook_timeout_seconds, moment=clock.now())
    elif connector.type == SMTP:
        smtp = SmtpConfig(**config).model_copy(update={"password": service.resolve_secret(config.get("password"),
                                                                                          settings)})
        ok, message, details = client.test_smtp(smtp, timeout=settings.smtp_timeout_seconds)
    elif connector.type == GRAPH:
        ok, message, details = client.test_graph(effective)
    elif connector.type == AI:
        ok, message, details = client.test_ai(effective)
    else:
        raise ValidationError(f"Connectors of type {connector.type!r} have no connection test.")
    elapsed = int((time.monotonic() - started) * 1000)
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        logs.record_run(session, principal, integration_id=connector.id, event_type=TEST_EVENT,
                        status="success" if ok else "failed", payload=details, error=None if ok else message,
                        duration_ms=elapsed, settings=settings, clock=clock)
    return TestResult(ok=ok, message=message, duration_ms=elapsed, details=details)


def _effective(session, principal: Principal, type: str, connector_id: int, settings: Settings) -> Settings:
    if type == GRAPH:
        return service.graph_settings(session, principal, settings=settings, connector_id=connector_id)
    if type == AI:
        return service.ai_settings(session, principal, settings=settings, connector_id=connector_id)
    return settings
