"""Notifications database: per-user notifications, message templates, preferences and e-mail deliveries."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import BigInteger, Boolean, DateTime, Identity, Index, Integer, SmallInteger, String, Text, Time, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import NotificationsBase, bigint_id, created_at, updated_at


class Notification(NotificationsBase):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("idx_notifications_user", "user_id", "status"),
        Index("idx_notifications_created", "created_at"),
    )

    id: Mapped[int] = bigint_id()
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # -> auth.users.id (checked by services)
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str | None] = mapped_column(String(20), server_default=text("'unread'"))  # unread, read, archived
    created_at: Mapped[datetime | None] = created_at()
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    # notifications_0010: where it leads, why this person got it, what the event carried (the templates'
    # variables, kept for the e-mail), the key that makes a retried flow notify once, snooze and archive.
    link: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict | None] = mapped_column(JSONB)
    event_key: Mapped[str | None] = mapped_column(String(200))
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)


class NotificationTemplate(NotificationsBase):
    __tablename__ = "notification_templates"

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    subject: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()
    updated_by: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id


class NotificationPreference(NotificationsBase):
    """One user's channels for one event type; a missing row means the type's defaults."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    type: Mapped[str] = mapped_column(String(50), primary_key=True)
    in_app: Mapped[bool] = mapped_column(Boolean, nullable=False)
    email: Mapped[bool] = mapped_column(Boolean, nullable=False)
    updated_at: Mapped[datetime | None] = updated_at()


class NotificationSetting(NotificationsBase):
    """One user's time zone, quiet hours and daily digest (and where the digest stands)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, server_default=text("'UTC'"))
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    digest_hour: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default=text("8"))
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime)  # end of the window last sent
    next_digest_at: Mapped[datetime | None] = mapped_column(DateTime)  # when the next digest is due (UTC)
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class NotificationDelivery(NotificationsBase):
    """The e-mail outbox: one row per notification that may be e-mailed at once (found by its user and event
    key), one per digest sent (event key `digest:<end of its window>`)."""

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = bigint_id()
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    event_key: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # immediate, digest
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default=text("'pending'"))
    due_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    items: Mapped[int | None] = mapped_column(Integer)  # a digest: how many notifications it carried
    window_start: Mapped[datetime | None] = mapped_column(DateTime)
    window_end: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime | None] = created_at()
