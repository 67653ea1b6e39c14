"""Sending, in one notifications transaction per batch, as the delivery actor: immediate e-mails (the
person's choice per type, held through their quiet hours unless critical) and daily digests (everything
unread since the last one, at their local hour, as one e-mail).

A batch locks its rows while it sends (SKIP LOCKED), so a second sender running at the same moment takes
other rows. A message is handed to the server before its row is marked: a crash between the two sends it
again on the next run (at least once, never lost).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from nexus360.config import Settings
from nexus360.notifications.delivery import engine, repository
from nexus360.notifications.delivery.client import Mailer, MailError
from nexus360.notifications.delivery.schemas import DeliveryReport, DigestItem, Recipient, SendLog, SendRecord
from nexus360.notifications.events.schemas import CATALOG
from nexus360.notifications.preferences import engine as zones
from nexus360.notifications.preferences import service as preferences
from nexus360.notifications.schemas import UNREAD
from nexus360.notifications.service import absolute
from nexus360.notifications.templates import service as templates

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=5)
INBOX_PATH = "/notifications"


def send_immediate(session: Session, actor: Any, *, contacts: Mapping[int, Recipient], mailer: Mailer,
                   settings: Settings, now: datetime, limit: int, log: SendLog, report: DeliveryReport) -> int:
    """One batch of due immediate e-mails; returns how many outbox rows it took."""
    preferences.require_delivery(actor)
    rows = repository.claim_due(session, now=zones.to_naive_utc(now), limit=limit)
    if not rows:
        return 0
    preferences.schedule_digests(session, actor, user_ids={row.user_id for row in rows}, now=now)
    wanted = preferences.email_wanted(session, actor, pairs={(row.user_id, row.type) for row in rows if row.type})
    where = preferences.delivery_settings(session, actor, user_ids={row.user_id for row in rows})
    unwanted, wording = [], {}  # wording: each type's template, read once per batch
    for row in rows:
        spec = CATALOG.get(row.type or "")
        recipient = contacts.get(row.user_id)
        if row.type is None or recipient is None or row.status != UNREAD or not wanted.get((row.user_id, row.type)):
            unwanted.append(row.id)  # pruned, read or archived meanwhile, not wanted, or no active account
            report.skipped += 1
            continue
        settings_of = where[row.user_id]
        held = None if spec is not None and spec.critical else zones.quiet_until(
            now, zones.zone(settings_of.timezone), settings_of.quiet_start, settings_of.quiet_end)
        if held is not None:
            repository.finish(session, row.id, due_at=zones.to_naive_utc(held))
            report.held += 1
            continue
        message = _notification_message(session, row, recipient, settings, wording)
        if not _send(session, mailer, message, report, log, row=row, now=now):
            break  # the server failed: the rest of the batch waits for the next run
    repository.forget(session, unwanted)
    return len(rows)


def send_digests(session: Session, actor: Any, *, contacts: Mapping[int, Recipient], mailer: Mailer,
                 settings: Settings, now: datetime, limit: int, log: SendLog, report: DeliveryReport) -> int:
    """One batch of due digests: each window's unread notifications as exactly one e-mail."""
    preferences.require_delivery(actor)
    naive_now = zones.to_naive_utc(now)
    due = repository.claim_due_digests(session, now=naive_now, limit=limit)
    for setting in due:
        where = zones.zone(setting.timezone)
        end = setting.next_digest_at
        start = setting.last_digest_at or end - timedelta(days=1)
        following = zones.to_naive_utc(zones.next_digest(max(now, zones.from_naive_utc(end)), where,
                                                         setting.digest_hour))
        rows = repository.digest_items(session, setting.user_id, start=start, end=end, now=naive_now)
        recipient = contacts.get(setting.user_id)
        key = f"digest:{end:%Y-%m-%dT%H:%M:%S}"
        if not rows or recipient is None or not repository.record_digest(
                session, user_id=setting.user_id, event_key=key, due_at=end, items=len(rows), window_start=start,
                window_end=end):
            repository.schedule_digest(session, setting.user_id, last_digest_at=end, next_digest_at=following)
            continue
        base = settings.public_url
        items = [DigestItem(title=row.title, message=row.message, created_at=row.created_at,
                            link=absolute(row.link, base) if row.link else None) for row in rows]
        message = engine.digest_email(sender=settings.smtp_from, to=recipient, items=items, zone=where,
                                      base_url=base, inbox_link=absolute(INBOX_PATH, base))
        started = time.monotonic()
        try:
            mailer.send(message)
        except MailError as error:
            repository.set_digest_status(session, user_id=setting.user_id, event_key=key, status="failed",
                                         last_error=str(error))
            repository.schedule_digest(session, setting.user_id, next_digest_at=naive_now + BACKOFF)
            report.failed += 1
            log(SendRecord(kind="digest", user_id=setting.user_id, type="digest", status="failed", items=len(items),
                           error=str(error), elapsed_ms=_ms(started), at=now))
            if not error.permanent:
                report.problem = str(error)
                break
            continue
        repository.set_digest_status(session, user_id=setting.user_id, event_key=key, status="sent",
                                     sent_at=naive_now)
        repository.schedule_digest(session, setting.user_id, last_digest_at=end, next_digest_at=following)
        report.digests += 1
        report.digest_items += len(items)
        log(SendRecord(kind="digest", user_id=setting.user_id, type="digest", status="sent", items=len(items),
                       elapsed_ms=_ms(started), at=now))
    return len(due)


def _notification_message(session: Session, row: Any, recipient: Recipient, settings: Settings,
                          wording: dict[str, tuple[str, str]]):
    spec = CATALOG.get(row.type)
    link = absolute(row.link, settings.public_url)
    reason = row.reason or (spec.reason if spec else "it was sent to you")
    if spec is not None and row.data is not None:
        if spec.type not in wording:
            wording[spec.type] = templates.template_for(session, spec=spec)
        rendered = templates.render_event(session, spec=spec, template=wording[spec.type],
                                          data={**row.data, "reason": reason, "link": link})
        subject, text, html = rendered.subject, rendered.text, rendered.html
    else:  # written as it is (notify): the stored title and message
        subject, text = row.title, row.message
        html = Markup("<br>\n").join(escape(text).split("\n"))
    return engine.notification_email(sender=settings.smtp_from, to=recipient, subject=subject, text=text,
                                     html=html, link=link, reason=reason, base_url=settings.public_url)


def _send(session: Session, mailer: Mailer, message, report: DeliveryReport, log: SendLog, *, row: Any,
          now: datetime) -> bool:
    """Hand one message over and mark its row; False when the server failed (stop the batch)."""
    started = time.monotonic()
    attempts = row.attempts + 1
    try:
        mailer.send(message)
    except MailError as error:
        give_up = error.permanent or attempts >= MAX_ATTEMPTS
        repository.finish(session, row.id, attempts=attempts, last_error=str(error),
                          status="failed" if give_up else "pending",
                          due_at=zones.to_naive_utc(now + BACKOFF * 2 ** (attempts - 1)))
        report.failed += 1
        log(SendRecord(kind="immediate", user_id=row.user_id, type=row.type, status="failed", error=str(error),
                       elapsed_ms=_ms(started), at=now))
        if not error.permanent:
            report.problem = str(error)
        return error.permanent
    repository.finish(session, row.id, status="sent", attempts=attempts, sent_at=zones.to_naive_utc(now),
                      last_error=None)
    report.sent += 1
    log(SendRecord(kind="immediate", user_id=row.user_id, type=row.type, status="sent", elapsed_ms=_ms(started),
                   at=now))
    return True


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
