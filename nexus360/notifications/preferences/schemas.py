"""Pydantic shapes of a person's notification preferences."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, Field

DEFAULT_DIGEST_HOUR = 8


class TypePreference(BaseModel):
    """One event type's channels for one person."""

    type: str
    label: str
    description: str
    critical: bool  # always on: in-app and e-mail cannot be turned off
    in_app: bool
    email: bool  # an e-mail at once (else only the daily digest, if on)


class ChannelChoice(BaseModel):
    type: str
    in_app: bool
    email: bool


class DeliverySettings(BaseModel):
    """Time zone, quiet hours (local; both empty: none) and the daily digest's local hour."""

    timezone: str = "UTC"
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest_enabled: bool = True
    digest_hour: int = Field(default=DEFAULT_DIGEST_HOUR, ge=0, le=23)


class PreferencesRead(BaseModel):
    types: list[TypePreference]
    settings: DeliverySettings
