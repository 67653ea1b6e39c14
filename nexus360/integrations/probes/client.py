""""Test connection" for each connector type: one small, harmless exchange with the outside system.

SMTP: connect, STARTTLS or TLS as configured, log in, NOOP, quit (no mail is sent). Microsoft Graph: a
token and the first user (`$top=1`). AI provider: a one-word chat answer. Webhook: a signed `test.ping`
event (the receiver can verify it like any delivery). Each returns (ok, message, details); a message names
what failed in plain words and never carries a secret.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from typing import Any

from nexus360.chat import client as ai_client
from nexus360.common.errors import Nexus360Error
from nexus360.config import Settings
from nexus360.integrations.client import GraphClient, GraphError
from nexus360.integrations.connectors.schemas import SmtpConfig
from nexus360.integrations.webhooks import client as http
from nexus360.integrations.webhooks import engine as webhook_engine

Result = tuple[bool, str, dict[str, Any]]


def test_smtp(config: SmtpConfig, *, timeout: float) -> Result:
    try:
        context = ssl.create_default_context()
        if config.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(config.host, config.port, timeout=timeout)
        with server:
            server.ehlo()
            if config.security == "starttls":
                server.starttls(context=context)
                server.ehlo()
            if config.username:
                server.login(config.username, config.password or "")
            server.noop()
    except smtplib.SMTPAuthenticationError as error:
        return False, f"The SMTP server refused the user name or password ({error.smtp_code}).", {}
    except smtplib.SMTPNotSupportedError:
        return False, "The SMTP server does not offer STARTTLS; choose SSL or no encryption.", {}
    except (smtplib.SMTPException, OSError) as error:
        return False, f"Cannot talk to {config.host}:{config.port}: {type(error).__name__}.", {}
    return True, f"Connected to {config.host}:{config.port}" + (" and signed in." if config.username else "."), {}


def test_graph(settings: Settings) -> Result:
    try:
        client = GraphClient.from_settings(settings)
    except GraphError as error:
        return False, str(error), {}
    try:
        return True, "Signed in to Microsoft Entra ID and read the directory.", {"users_read": client.probe()}
    except GraphError as error:
        return False, str(error), {}
    finally:
        client.close()


def test_ai(settings: Settings) -> Result:
    try:
        model = ai_client.language_model(settings)
        if model is None:
            return True, "The offline assistant needs no connection.", {}
        for event in model.stream_chat([{"role": "user", "content": "Answer with one word: ready?"}]):
            if isinstance(event, ai_client.TextDelta):
                break
    except Nexus360Error as error:  # ProviderError and ProviderNotConfigured say it in plain words
        return False, str(error), {}
    return True, f"The model {settings.ai_chat_model} answered.", {"provider": settings.ai_provider}


def test_webhook(url: str, secret: str, *, allow_private: bool, timeout: float, moment) -> Result:
    message_id = f"msg_test_{uuid.uuid4().hex[:12]}"
    body = webhook_engine.body_of("test.ping", moment.isoformat(timespec="seconds") + "Z",
                                  {"message": "A test from Nexus360."})
    headers = webhook_engine.signed_headers(secret, message_id=message_id, moment=moment, body=body)
    outcome = http.post(url, body=body, headers=headers, allow_private=allow_private, timeout=timeout)
    details = {"status_code": outcome.status_code, "duration_ms": outcome.duration_ms}
    if outcome.ok:
        return True, f"The receiver answered {outcome.status_code}.", details
    return False, outcome.error or "The receiver did not accept the test event.", details
