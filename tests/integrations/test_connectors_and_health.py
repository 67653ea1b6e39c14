"""Connectors keep no secret in clear text, validate per type and need integrations.manage; health follows the
thresholds and tells admins once; replays; SSRF refusals at delivery; retention by age and count."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from nexus360.auth.schemas import DEFAULT_GRANTS, Principal
from nexus360.common.clock import ManualClock
from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.config import get_settings
from nexus360.db import Database, session_scope
from nexus360.integrations.connectors import service as connectors
from nexus360.integrations.logs import service as logs
from nexus360.integrations.logs.schemas import LogFilters
from nexus360.integrations.models import IntegrationLog
from nexus360.integrations.webhooks import service as webhooks
from nexus360.notifications.models import Notification
from nexus360.worker.runner import Worker
from tests.integrations.conftest import add_endpoint, admin, emit, remove_endpoint

REP = Principal(id=7, email="rep@x", roles=("sales_rep",), permissions=frozenset(DEFAULT_GRANTS["sales_rep"]))


def test_a_pasted_secret_is_stored_encrypted_and_shown_described(db) -> None:
    session, principal = db(Database.INTEGRATION), admin()
    created = connectors.add_connector(session, principal, type="smtp", name="Mail relay", settings=get_settings(),
                                       values={"host": "smtp.example.com", "port": 587, "security": "starttls",
                                               "username": "mailer", "password": "pa55-word-in-clear",
                                               "from_address": "Nexus360 <n@example.com>"})
    stored = session.execute(text("SELECT config::text FROM integration_configs WHERE id = :id"),
                             {"id": created.connector.id}).scalar()
    assert "pa55-word-in-clear" not in stored and "enc:v1:" in stored
    assert created.connector.secrets == {"Password": "encrypted ••••••••"}
    assert "pa55" not in json.dumps(created.connector.settings)
    assert connectors.resolve_secret(json.loads(stored)["password"], get_settings()) == "pa55-word-in-clear"


def test_a_webhook_without_a_secret_gets_one_shown_once(db) -> None:
    session, principal = db(Database.INTEGRATION), admin()
    created = connectors.add_connector(session, principal, type="webhook", name="CRM mirror", settings=get_settings(),
                                       values={"url": "https://hooks.example.com/x", "events": ["deal.won"]})
    assert created.shown_once and created.shown_once.startswith("whsec_")
    again = connectors.get_connector(session, principal, name="crm mirror", settings=get_settings())
    assert created.shown_once not in json.dumps([again.settings, again.secrets])


def test_a_reference_is_kept_as_it_is(db, monkeypatch) -> None:
    monkeypatch.setenv("TEST_AI_KEY", "sk-from-the-environment")
    session, principal = db(Database.INTEGRATION), admin()
    created = connectors.add_connector(session, principal, type="ai_provider", name="Azure", settings=get_settings(),
                                       values={"provider": "azure", "endpoint": "https://x.openai.azure.com",
                                               "chat_model": "gpt-4o-mini", "api_key": "env:TEST_AI_KEY"})
    assert created.connector.secrets == {"API key": "environment variable TEST_AI_KEY (set)"}
    effective = connectors.ai_settings(session, principal, settings=get_settings())
    assert effective.ai_provider == "azure" and effective.ai_api_key.get_secret_value() == "sk-from-the-environment"


@pytest.mark.parametrize(("type", "values", "message"), [
    ("webhook", {"url": "ftp://x", "events": ["deal.won"]}, "URL must start with http"),
    ("webhook", {"url": "https://x.example", "events": ["deal.exploded"]}, "Events: unknown event"),
    ("webhook", {"url": "https://x.example", "events": ["deal.won"], "secret": "not-a-secret"}, "Signing secret"),
    ("smtp", {"host": "smtp.x", "port": 70000, "from_address": "a@b.c"}, "Port must be"),
    ("smtp", {"host": "smtp.x", "from_address": "nobody"}, "From address"),
    ("msgraph", {"tenant_id": "contoso", "client_id": "8d1f7a2c-4b6e-4f3a-a1c9-5e7d2b9f0c34"}, "Tenant ID"),
    ("ai_provider", {"provider": "azure", "chat_model": "m", "api_key": "env:bad-name"}, "API key: a reference"),
])
def test_bad_settings_name_the_field_and_change_nothing(db, type, values, message) -> None:
    session, principal = db(Database.INTEGRATION), admin()
    before = len(connectors.list_connectors(session, principal, settings=get_settings()))
    with pytest.raises(ValidationError, match=message):
        connectors.add_connector(session, principal, type=type, name="Broken", values=values, settings=get_settings())
    assert len(connectors.list_connectors(session, principal, settings=get_settings())) == before


def test_a_rep_may_not_manage_integrations(db) -> None:
    with pytest.raises(AuthorizationError):
        connectors.list_connectors(db(Database.INTEGRATION), REP, settings=get_settings())
    with pytest.raises(AuthorizationError):
        logs.list_logs(db(Database.INTEGRATION), REP, filters=LogFilters(since=ManualClock().now()))


def test_health_moves_through_degraded_and_failing_and_tells_admins_once(clean, receiver, secret) -> None:
    clock = ManualClock()
    endpoint = add_endpoint(receiver.url, secret, name="Flaky receiver")
    settings = get_settings().model_copy(update={"integrations_failing_after": 3})
    worker = Worker(settings, clock=clock, name="health")
    try:
        for _ in range(5):
            receiver.answer(500)

        def state() -> str:
            with session_scope(Database.INTEGRATION) as session:
                tiles = {t.integration_id: t for t in logs.health(session, admin(), settings=settings, clock=clock)}
            return tiles[endpoint].state

        emit()
        worker.run_once()
        assert state() == "degraded"
        for _ in range(4):
            emit()
        worker.run_once()
        assert state() == "failing"
        worker.run_once()  # the notice job
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            notices = session.scalars(select(Notification).where(  # issue 17's template words the title
                Notification.type == "integration_failing", Notification.title.contains("Flaky receiver"))).all()
        assert len(notices) >= 1 and len({n.user_id for n in notices}) == len(notices)  # once per admin
        clock.advance(seconds=6)
        worker.run_once()  # the retries now succeed
        with session_scope(Database.INTEGRATION) as session:
            tile = {t.integration_id: t for t in logs.health(session, admin(), settings=settings, clock=clock)}
        assert tile[endpoint].consecutive_failures == 0 and tile[endpoint].last_success_at is not None
        assert tile[endpoint].runs_24h == len(receiver.requests)  # one run per attempt, counted once
        assert tile[endpoint].p95_ms_24h is not None
    finally:
        remove_endpoint(endpoint)


def test_retry_one_and_retry_all_failed_since(clean, receiver, secret) -> None:
    clock = ManualClock()
    endpoint = add_endpoint(receiver.url, secret, name="Replay receiver")
    worker = Worker(get_settings(), clock=clock, name="replay")
    try:
        for _ in range(8 * 2):
            receiver.answer(500)
        first, second = emit(), emit()
        for _ in range(8):
            worker.run_once()
            clock.advance(hours=11)
        assert len(receiver.requests) == 16
        with session_scope(Database.INTEGRATION, actor=admin()) as session:
            log_id = session.scalars(select(IntegrationLog.id).where(IntegrationLog.message_id == first)).first()
            assert webhooks.retry_log(session, admin(), log_id=log_id, clock=clock) == "Replay receiver"
        worker.run_once()
        assert receiver.delivered_ids(verified_only=False) == [first]
        with session_scope(Database.INTEGRATION, actor=admin()) as session:
            since = clock.now() - timedelta(days=30)
            assert webhooks.retry_failed_since(session, admin(), since=since, connector_id=endpoint, clock=clock) == 1
        worker.run_once()
        assert receiver.delivered_ids(verified_only=False) == [first, second]
    finally:
        remove_endpoint(endpoint)


def test_loopback_is_refused_unless_the_admin_allowed_it(clean, receiver, secret) -> None:
    endpoint = add_endpoint(receiver.url, secret, name="Private receiver", allow_private=False)
    try:
        emit()
        Worker(get_settings(), name="ssrf").run_once()
        assert receiver.requests == []
        with session_scope(Database.INTEGRATION, admin=True) as session:
            [log] = session.scalars(select(IntegrationLog).where(IntegrationLog.integration_id == endpoint))
        assert log.status == "failed" and "loopback address" in log.error_message and log.status_code is None
    finally:
        remove_endpoint(endpoint)


def test_retention_prunes_by_age_and_by_count(clean, receiver, secret) -> None:
    endpoint = add_endpoint(receiver.url, secret, name="Chatty receiver")
    clock = ManualClock()
    try:
        with session_scope(Database.INTEGRATION, actor=admin()) as session:
            for days_ago in (40, 35, 3, 2, 1, 0):
                clock.set(ManualClock().now() - timedelta(days=days_ago))
                logs.record_run(session, admin(), integration_id=endpoint, event_type="deal.won", status="success",
                                settings=get_settings(), clock=clock)
        settings = get_settings().model_copy(update={"integrations_log_retention_days": 30,
                                                     "integrations_log_max_rows": 3})
        with session_scope(Database.INTEGRATION, actor=admin()) as session:
            pruned = logs.prune(session, admin(), settings=settings)
            left = session.scalars(select(IntegrationLog.created_at).where(
                IntegrationLog.integration_id == endpoint)).all()
        assert pruned.by_age >= 2 and pruned.by_count >= 1 and len(left) == 3
    finally:
        remove_endpoint(endpoint)
