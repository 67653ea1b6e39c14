"""Queries of preferences (channels per type) and delivery settings (zone, quiet hours, digest)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from nexus360.notifications.models import NotificationPreference, NotificationSetting


def list_choices(session: Session, user_ids: Iterable[int]) -> dict[tuple[int, str], tuple[bool, bool]]:
    """(user, type) -> (in_app, email) of the rows saved for these users."""
    rows = session.execute(select(NotificationPreference.user_id, NotificationPreference.type,
                                  NotificationPreference.in_app, NotificationPreference.email)
                           .where(NotificationPreference.user_id.in_(list(user_ids))))
    return {(row.user_id, row.type): (row.in_app, row.email) for row in rows}


def save_choices(session: Session, user_id: int, choices: Iterable[tuple[str, bool, bool]]) -> None:
    rows = [{"user_id": user_id, "type": type, "in_app": in_app, "email": email} for type, in_app, email in choices]
    if not rows:
        return
    statement = insert(NotificationPreference).values(rows)
    session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "type"],
        set_={"in_app": statement.excluded.in_app, "email": statement.excluded.email}))


def get_settings(session: Session, user_id: int) -> NotificationSetting | None:
    return session.get(NotificationSetting, user_id)


def list_settings(session: Session, user_ids: Iterable[int]) -> dict[int, NotificationSetting]:
    rows = session.scalars(select(NotificationSetting).where(NotificationSetting.user_id.in_(list(user_ids))))
    return {row.user_id: row for row in rows}


def save_settings(session: Session, user_id: int, values: dict) -> None:
    statement = insert(NotificationSetting).values(user_id=user_id, **values)
    session.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))


# Run by the sender (who reads every row): a person's first e-mail schedules their digest.
ENSURE = text("INSERT INTO notification_settings (user_id, next_digest_at) VALUES (:user_id, :next_digest_at) "
              "ON CONFLICT (user_id) DO NOTHING")


def ensure_settings(session: Session, rows: list[dict]) -> None:
    if rows:
        session.execute(ENSURE, rows)
