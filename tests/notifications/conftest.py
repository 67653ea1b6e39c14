"""What the notification tests share: seeded people, committed notifications cleaned up afterwards, and an
outbox that holds only what a test put there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.db import Database, session_scope

REP_ID, OTHER_REP_ID, MANAGER_ID, MARKETER_ID, ADMIN_ID = 7, 8, 2, 3, 1  # seeded users
KEY_PREFIX = "test17:"


def person(user_id: int) -> Principal:
    with session_scope(Database.AUTH) as auth:
        return auth_service.get_principal(auth, user_id)


def at(text_value: str) -> datetime:
    """An aware UTC moment from '2030-03-28 21:30'."""
    return datetime.fromisoformat(text_value).replace(tzinfo=UTC)


@pytest.fixture
def committed(seeded) -> Iterator[None]:
    """For tests that run flows and senders (their own transactions): afterwards remove every notification,
    outbox row and setting they wrote, and leave everyone's digest where it was."""
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        saved = session.execute(text("SELECT user_id, next_digest_at, last_digest_at FROM notification_settings"))
        saved = [dict(row._mapping) for row in saved]
        session.execute(text("DELETE FROM notification_deliveries"))  # the outbox holds only this test's rows
        session.execute(text("UPDATE notification_settings SET next_digest_at = '2999-01-01'"))
        started = session.scalar(text("SELECT COALESCE(max(id), 0) FROM notifications"))
    try:
        yield
    finally:
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(text("DELETE FROM notifications WHERE id > :id"), {"id": started})
            session.execute(text("DELETE FROM notification_deliveries"))
            session.execute(text("DELETE FROM notification_settings"))
            session.execute(text("DELETE FROM notification_preferences"))
            for row in saved:
                session.execute(text("INSERT INTO notification_settings (user_id, next_digest_at, last_digest_at) "
                                     "VALUES (:user_id, :next_digest_at, :last_digest_at)"), row)
