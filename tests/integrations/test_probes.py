"""Test connection against local stand-ins that speak SMTP, OpenAI's protocol and Microsoft Graph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from nexus360.config import get_settings
from nexus360.db import Database, session_scope
from nexus360.integrations.connectors import service as connectors
from nexus360.integrations.email import service as email
from nexus360.integrations.probes import flows
from nexus360.notifications.delivery.schemas import SendRecord
from nexus360.notifications.schemas import DELIVERY
from tests.integrations.conftest import admin
from tests.support import openai_stub
from tests.support.smtp_login_standin import SmtpStandin


def add(type: str, name: str, values: dict) -> int:
    with session_scope(Database.INTEGRATION, actor=admin()) as session:
        return connectors.add_connector(session, admin(), type=type, name=name, values=values,
                                        settings=get_settings()).connector.id


def remove(connector_id: int) -> None:
    with session_scope(Database.INTEGRATION, actor=admin()) as session:
        connectors.delete_connector(session, admin(), connector_id=connector_id)


@pytest.mark.parametrize(("password", "ok"), [("smtp-standin-pw", True), ("wrong-password", False)])
def test_smtp_signs_in_or_says_the_password_was_refused(seeded, password: str, ok: bool) -> None:
    with SmtpStandin() as smtp:
        connector = add("smtp", f"Stand-in mail {ok}", {"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                                         "username": "mailer", "password": password,
                                                         "from_address": "n@example.com"})
        try:
            result = flows.test_connection(admin(), name=f"Stand-in mail {ok}", settings=get_settings())
        finally:
            remove(connector)
    assert result.ok is ok
    assert ("signed in" in result.message) if ok else ("refused the user name or password" in result.message)
    assert password not in result.message and "AUTH" in smtp.commands


def test_an_ai_provider_answers_through_the_openai_protocol(seeded) -> None:
    server, http = openai_stub.start()
    try:
        base = f"{server.url}/v1"
        connector = add("ai_provider", "Stand-in model", {"provider": "openai", "base_url": base,
                                                          "chat_model": "stub-model", "api_key": openai_stub.KEY})
        try:
            result = flows.test_connection(admin(), name="Stand-in model", settings=get_settings())
        finally:
            remove(connector)
    finally:
        http.shutdown()
    assert result.ok, result.message
    assert openai_stub.KEY not in result.message


@contextmanager
def no_other_smtp_connector() -> Iterator[None]:
    """Every active SMTP connector set inactive for the block, and active again after it."""
    settings = get_settings()
    with session_scope(Database.INTEGRATION, actor=admin()) as session:
        others = [c.id for c in connectors.list_connectors(session, admin(), settings=settings)
                  if c.type == "smtp" and c.is_active]
        for other in others:
            connectors.set_active(session, admin(), connector_id=other, active=False, settings=settings)
    try:
        yield
    finally:
        with session_scope(Database.INTEGRATION, actor=admin()) as session:
            for other in others:
                connectors.set_active(session, admin(), connector_id=other, active=True, settings=settings)


RELAY = {"host": "relay.example.com", "port": 465, "security": "ssl", "username": "n",
         "password": "env:I18_TEST_SMTP_PASSWORD", "from_address": "n@example.com"}


def test_notification_mail_goes_through_the_active_smtp_connector(seeded, monkeypatch) -> None:
    monkeypatch.setenv("I18_TEST_SMTP_PASSWORD", "relay-pw")
    settings = get_settings()
    with no_other_smtp_connector():
        with session_scope(Database.INTEGRATION, actor=admin()) as session:
            assert connectors.mail_settings(session, admin(), settings=settings) is settings  # no connector: as it was
        connector = add("smtp", "Relay", RELAY)
        try:
            with session_scope(Database.INTEGRATION, actor=admin()) as session:
                mail = connectors.mail_settings(session, admin(), settings=settings)
        finally:
            remove(connector)
    assert (mail.smtp_host, mail.smtp_port, mail.smtp_security, mail.smtp_user, mail.smtp_from) == (
        "relay.example.com", 465, "ssl", "n", "n@example.com")
    assert mail.smtp_password.get_secret_value() == "relay-pw"


def test_notification_mail_is_logged_on_the_connector_it_went_through(seeded) -> None:
    """Sent with NEXUS360_SMTP_*, mail is logged on the environment's row, which never becomes the connector
    mail goes through; through a connector, on that connector's own row (one SMTP row, not two)."""
    settings = get_settings().model_copy(update={"smtp_host": "mail.internal", "smtp_from": "n@mail.internal"})
    record = SendRecord(kind="immediate", user_id=7, type="deal_assigned", status="sent")
    with no_other_smtp_connector():
        with session_scope(Database.INTEGRATION, actor=DELIVERY) as session:
            email.log_notification_email(session, DELIVERY, settings=settings, record=record)
            assert email.mail_route(session, admin(), settings=settings) == (settings, None)
        connector = add("smtp", "Relay", RELAY)
        try:
            with session_scope(Database.INTEGRATION, actor=DELIVERY) as session:
                routed, connector_id = email.mail_route(session, admin(), settings=settings)
                email.log_notification_email(session, DELIVERY, settings=routed, record=record,
                                             integration_id=connector_id)
                logged_on = session.execute(text(
                    "SELECT c.name FROM integration_logs l JOIN integration_configs c ON c.id = l.integration_id "
                    "WHERE l.event_type = 'notification_email' ORDER BY l.id DESC LIMIT 2")).scalars().all()
        finally:
            remove(connector)
    assert (connector_id, routed.smtp_host) == (connector, "relay.example.com")
    assert logged_on == ["Relay", "Notification e-mail"]
