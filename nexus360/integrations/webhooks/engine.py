"""The rules of an outgoing webhook, without I/O: the Standard Webhooks signature, the retry schedule,
Retry-After, and which addresses a delivery may reach.

Signing is this module's own dozen lines of HMAC rather than the `standardwebhooks` package: the app then
needs no extra runtime dependency, and the tests verify every delivery with the official package, which
checks this code against an implementation it does not share.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from nexus360.integrations.connectors.engine import SECRET_PREFIX

# Svix's schedule: the first attempt at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure.
RETRY_SCHEDULE = (timedelta(0), timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
                  timedelta(hours=2), timedelta(hours=5), timedelta(hours=10), timedelta(hours=10))
MAX_ATTEMPTS = len(RETRY_SCHEDULE)
MAX_RETRY_AFTER = timedelta(hours=10)  # a Retry-After longer than the schedule's longest step is cut to it
RETRY_AFTER_STATUSES = (429, 503)
GONE = 410


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    """`webhook-signature`: "v1," and the base64 HMAC-SHA256 of "id.timestamp.body" under the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, *, message_id: str, moment: datetime, body: bytes) -> dict[str, str]:
    timestamp = int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id=message_id, timestamp=timestamp, body=body),
        "content-type": "application/json",
        "user-agent": "Nexus360-Webhooks/1.0",
    }


def body_of(event_type: str, occurred_at: str, data: dict[str, Any]) -> bytes:
    """The payload as Standard Webhooks shapes it: type, timestamp, data (compact JSON, the bytes that are signed)."""
    return json.dumps({"type": event_type, "timestamp": occurred_at, "data": data}, separators=(",", ":"),
                      default=str).encode()


def delay_before(attempt: int) -> timedelta | None:
    """How long after a failed attempt number `attempt - 1` attempt number `attempt` runs (None: no more)."""
    return RETRY_SCHEDULE[attempt - 1] if 1 <= attempt <= MAX_ATTEMPTS else None


def retry_after(header: str | None, *, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date, relative to `now` (naive UTC); None when absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        wait = timedelta(seconds=int(header))
    else:
        try:
            moment = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        wait = max(moment - now, timedelta(0))
    return min(wait, MAX_RETRY_AFTER)


def next_run(*, attempt: int, status_code: int | None, retry_after_header: str | None,
             now: datetime) -> datetime | None:
    """When to try again after failed attempt number `attempt`: the schedule's next step, or later if the
    receiver asked (429/503 with Retry-After); None when the schedule is used up."""
    step = delay_before(attempt + 1)
    if step is None:
        return None
    asked = retry_after(retry_after_header, now=now) if status_code in RETRY_AFTER_STATUSES else None
    return now + max(step, asked or timedelta(0))


def refused_address(address: str) -> str | None:
    """Why a delivery may not reach this IP address (None: a public address it may reach)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified or not ip.is_global:
        return "a private or reserved address"
    return None
