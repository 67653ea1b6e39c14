"""Shapes of e-mail delivery: one send as the integration log records it, and what a run did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel


@dataclass(frozen=True)
class SendRecord:
    """One e-mail handed (or not) to the mail server: what the integration log keeps of it (no address,
    no content: who by id, what kind, how it went)."""

    kind: str  # immediate, digest
    user_id: int
    type: str  # the event type, or "digest"
    status: str  # sent, failed
    items: int = 1
    error: str | None = None
    elapsed_ms: int = 0
    at: datetime | None = None


SendLog = Callable[[SendRecord], None]  # writes one record where the caller keeps them (integration_logs)


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


@dataclass(frozen=True)
class DigestItem:
    title: str
    message: str
    link: str | None
    created_at: datetime  # UTC


class DeliveryReport(BaseModel):
    """What one `send-due` run did (counts; `problem` when e-mail is not set up or the server failed)."""

    sent: int = 0
    digests: int = 0
    digest_items: int = 0
    skipped: int = 0  # the person does not want it by e-mail, or has no active account
    held: int = 0  # quiet hours: moved to their end
    failed: int = 0  # will be tried again (or gave up after the last attempt)
    problem: str | None = None
