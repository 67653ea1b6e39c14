"""Pydantic shapes of notifications."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class NotificationRead(BaseModel):
    id: int
    type: str
    title: str
    message: str
    status: str | None
    created_at: datetime | None
    read_at: datetime | None
