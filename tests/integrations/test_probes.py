"""Test connection against local stand-ins that speak SMTP, OpenAI's protocol and Microsoft Graph."""

from __future__ import annotations

import pytest

from nexus360.config import get_settings
from nexus360.db import Database, session_scope
from nexus360.integrations.connectors import service as connectors
from nexus360.integrations.probes import flows
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


def test_notification_mail_goes_through_the_active_smtp_connector(seeded, monkeypatch) -> None:
    monkeypatch.setenv("I18_TEST_SMTP_PASSWORD", "relay-pw")
    settings = get_settings()
    with session_scope(Database.INTEGRATION, actor=admin()) as session:
        others = [c.id for c in connectors.list_connectors(session, admin(), settings=settings)
                  if c.type == "smtp" and c.is_active]
        for other in others:
            connectors.set_active(session, admin(), connector_id=other, active=False, settings=settings)
        assert connectors.mail_settings(session, admin(), settings=settings) is settings  # no connector: as it was
    connector = add("smtp", "Relay", {"host": "relay.example.com", "port": 465, "security": "ssl", "username": "n",
                                      "password": "env:I18_TEST_SMTP_PASSWORD", "from_address": "n@example.com"})
    try:
        with session_scope(Database.INTEGRATION, actor=admin()) as session:
            mail = connectors.mail_settings(session, admin(), settings=settings)
    finally:
        remove(connector)
        with session_scope(Database.INTEGRATION, actor=admin()) as session:
            for other in others:
                connectors.set_active(session, admin(), connector_id=other, active=True, settings=settings)
    assert (mail.smtp_host, mail.smtp_port, mail.smtp_security, mail.smtp_user, mail.smtp_from) == (
        "relay.example.com", 465, "ssl", "n", "n@example.com")
    assert mail.smtp_password.get_secret_value() == "relay-pw"
