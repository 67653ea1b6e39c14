"""Fixtures for the worker and webhook tests: committed data (the worker opens its own transactions), a
queue and outboxes drained of other tests' work, a verifying receiver, an endpoint for it, a moving clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.common.clock import ManualClock
from nexus360.config import get_settings
from nexus360.db import Database, session_scope
from nexus360.integrations.connectors import engine as secrets
from nexus360.integrations.connectors import service as connectors
from nexus360.jobs import service as jobs
from nexus360.worker.handlers import OUTBOX_DATABASES
from nexus360.worker.runner import Worker
from tests.support.webhook_receiver import WebhookReceiver


def admin() -> Principal:
    with session_scope(Database.AUTH) as session:
        return auth_service.get_principal_by_username(session, "admin")


def drain() -> None:
    """Leave no other test's work about: outboxes dispatched, one-off jobs cancelled, webhooks switched off."""
    for database in OUTBOX_DATABASES:
        with session_scope(database, admin=True) as session:
            session.execute(text("UPDATE event_outbox SET dispatched_at = timezone('utc', now()) "
                                 "WHERE dispatched_at IS NULL"))
    with session_scope(Database.INTEGRATION, admin=True) as session:
        session.execute(text("UPDATE jobs SET status = 'cancelled', lock_token = NULL "
                             "WHERE status IN ('queued', 'running') AND interval_seconds IS NULL"))
        session.execute(text("UPDATE integration_configs SET is_active = false WHERE type = 'webhook'"))


def emit(event_type: str = "deal.won", data: dict[str, Any] | None = None, *,
         database: Database = Database.CRM, clock=None) -> str:
    with session_scope(database) as session:
        options = {"clock": clock} if clock is not None else {}
        return jobs.record_event(session, event_type, data or {"id": 1, "title": "Acme renewal"}, **options)


def add_endpoint(url: str, secret: str, *, name: str, events: tuple[str, ...] = ("deal.won", "deal.lost"),
                 allow_private: bool = True) -> int:
    principal = admin()
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        created = connectors.add_connector(session, principal, type="webhook", name=name, settings=get_settings(),
                                           values={"url": url, "events": list(events), "secret": secret,
                                                   "allow_private": allow_private})
    return created.connector.id


def remove_endpoint(connector_id: int) -> None:
    principal = admin()
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        connectors.delete_connector(session, principal, connector_id=connector_id)


@pytest.fixture
def clean(seeded: Path) -> Iterator[None]:
    drain()
    yield
    drain()


@pytest.fixture
def secret() -> str:
    return secrets.new_secret()


@pytest.fixture
def receiver(secret: str) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret) as started:
        yield started


@pytest.fixture
def endpoint(clean, receiver: WebhookReceiver, secret: str, request) -> Iterator[int]:
    connector_id = add_endpoint(receiver.url, secret, name=f"Test hook {request.node.name}"[:100])
    yield connector_id
    remove_endpoint(connector_id)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def worker(clock: ManualClock) -> Worker:
    return Worker(get_settings(), clock=clock, concurrency=2, name="test-worker")
