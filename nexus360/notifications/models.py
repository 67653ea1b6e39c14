"""Notifications database: per-user notifications and message templates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, Text, text
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
    status: Mapped[str | None] = mapped_column(String(20), server_default=text("'unread'"))
    created_at: Mapped[datetime | None] = created_at()
    read_at: Mapped[datetime | None] = mapped_column(DateTime)


class NotificationTemplate(NotificationsBase):
    __tablename__ = "notification_templates"

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    subject: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()
