"""The webhook rules without I/O: signatures the official package accepts, the schedule, Retry-After, SSRF."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from nexus360.common.clock import SYSTEM_CLOCK
from nexus360.integrations.connectors import engine as secrets
from nexus360.integrations.webhooks import engine

NOW = datetime(2026, 7, 1, 12, 0, 0)


def test_signed_headers_verify_with_the_official_standard_webhooks_package() -> None:
    secret = secrets.new_secret()
    body = engine.body_of("deal.won", "2026-07-01T12:00:00Z", {"id": 7, "title": "Ünïcode & co"})
    headers = engine.signed_headers(secret, message_id="msg_1", moment=SYSTEM_CLOCK.now(), body=body)

    assert Webhook(secret).verify(body, headers) == {"type": "deal.won", "timestamp": "2026-07-01T12:00:00Z",
                                                      "data": {"id": 7, "title": "Ünïcode & co"}}
    assert headers["webhook-signature"].startswith("v1,")


def test_a_changed_body_or_another_secret_fails_verification() -> None:
    secret = secrets.new_secret()
    body = engine.body_of("deal.won", "t", {"id": 1})
    headers = engine.signed_headers(secret, message_id="msg_1", moment=SYSTEM_CLOCK.now(), body=body)

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"1", b"2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secrets.new_secret()).verify(body, headers)


def test_a_timestamp_older_than_five_minutes_is_rejected_by_receivers() -> None:
    secret = secrets.new_secret()
    body = b"{}"
    headers = engine.signed_headers(secret, message_id="msg_1", moment=SYSTEM_CLOCK.now() - timedelta(minutes=6),
                                    body=body)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(body, headers)


def test_the_retry_schedule_is_svix_s() -> None:
    waits = [engine.next_run(attempt=n, status_code=500, retry_after_header=None, now=NOW) for n in range(1, 9)]
    assert [(wait - NOW) if wait else None for wait in waits] == [
        timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=5),
        timedelta(hours=10), timedelta(hours=10), None]


def test_retry_after_is_honoured_on_429_and_503_only() -> None:
    assert engine.next_run(attempt=1, status_code=429, retry_after_header="120", now=NOW) == NOW + timedelta(minutes=2)
    assert engine.next_run(attempt=1, status_code=503, retry_after_header="Wed, 01 Jul 2026 12:30:00 GMT",
                           now=NOW) == NOW + timedelta(minutes=30)
    assert engine.next_run(attempt=1, status_code=500, retry_after_header="120", now=NOW) == NOW + timedelta(seconds=5)
    # never sooner than the schedule, never later than its longest step
    assert engine.next_run(attempt=3, status_code=429, retry_after_header="1", now=NOW) == NOW + timedelta(minutes=30)
    assert engine.next_run(attempt=1, status_code=429, retry_after_header="999999", now=NOW) == NOW + timedelta(
        hours=10)
    assert engine.next_run(attempt=1, status_code=429, retry_after_header="soon", now=NOW) == NOW + timedelta(
        seconds=5)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "fe80::1", "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1", "fd00::1"])
def test_loopback_private_and_link_local_addresses_are_refused(address: str) -> None:
    assert engine.refused_address(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert engine.refused_address(address) is None


def test_secrets_are_encrypted_and_masked() -> None:
    key = bytes(range(32))
    stored = secrets.stored_form("hunter2-very-secret", key, field="Password")
    assert stored.startswith("enc:v1:") and "hunter2" not in stored
    assert secrets.decrypt(stored, key) == "hunter2-very-secret"
    assert secrets.stored_form("env:SMTP_PASSWORD", key, field="Password") == "env:SMTP_PASSWORD"
    masked = secrets.mask({"password": "x", "nested": [{"api_key": "y"}], "note": "Bearer abc",
                           "url": "https://h/x?token=hunter2-very-secret"}, ("hunter2-very-secret",))
    assert masked == {"password": secrets.MASK, "nested": [{"api_key": secrets.MASK}], "note": secrets.MASK,
                      "url": f"https://h/x?token={secrets.MASK}"}
