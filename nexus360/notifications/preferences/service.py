"""Preferences: each person chooses, per event type, in-app and e-mail (critical types stay on), their time
zone, quiet hours and the daily digest. Row-level security keeps everyone to their own rows; delivery reads
everyone's as the delivery actor (`notifications.deliver`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.common.periods import now_utc
from nexus360.db.engine import Actor
from nexus360.notifications.events.schemas import CATALOG
from nexus360.notifications.preferences import engine, repository
from nexus360.notifications.preferences.schemas import (
    ChannelChoice,
    DeliverySettings,
    PreferencesRead,
    TypePreference,
)

DELIVER = "notifications.deliver"


def get_preferences(session: Session, principal: Principal) -> PreferencesRead:
    """The principal's channels for every event type that can concern them (by their permissions; defaults
    where they chose nothing) and their settings."""
    saved = repository.list_choices(session, [principal.id])
    types = []
    for spec in CATALOG.values():
        if not principal.has(spec.audience):
            continue
        in_app, email = saved.get((principal.id, spec.type), (True, spec.email))
        types.append(TypePreference(type=spec.type, label=spec.label, description=spec.description,
                                    critical=spec.critical, in_app=in_app or spec.critical,
                                    email=email or spec.critical))
    row = repository.get_settings(session, principal.id)
    settings = DeliverySettings() if row is None else DeliverySettings(
        timezone=row.timezone, quiet_start=row.quiet_start, quiet_end=row.quiet_end,
        digest_enabled=row.digest_enabled, digest_hour=row.digest_hour)
    return PreferencesRead(types=sorted(types, key=lambda item: item.label), settings=settings)


def save_preferences(session: Session, principal: Principal, *, choices: Sequence[ChannelChoice],
                     settings: DeliverySettings, now: datetime | None = None) -> PreferencesRead:
    """Save the principal's channels and settings; refused as a whole (nothing saved) on a bad value."""
    for choice in choices:
        spec = CATALOG.get(choice.type)
        if spec is None:
            raise ValidationError(f"There is no notification type '{choice.type}'.")
        if spec.critical and not (choice.in_app and choice.email):
            raise ValidationError(f"{spec.label}: this message is critical and cannot be turned off.")
    where = engine.zone(settings.timezone)
    if (settings.quiet_start is None) != (settings.quiet_end is None):
        raise ValidationError("Quiet hours: give both a start and an end, or neither.")
    if settings.quiet_start is not None and settings.quiet_start == settings.quiet_end:
        raise ValidationError("Quiet hours: the end must differ from the start.")
    if not 0 <= settings.digest_hour <= 23:
        raise ValidationError("Digest hour: choose an hour from 0 to 23.")
    repository.save_choices(session, principal.id, [(c.type, c.in_app, c.email) for c in choices])
    next_at = engine.next_digest(now or now_utc(), where, settings.digest_hour)
    repository.save_settings(session, principal.id, {
        "timezone": where.key, "quiet_start": settings.quiet_start, "quiet_end": settings.quiet_end,
        "digest_enabled": settings.digest_enabled, "digest_hour": settings.digest_hour,
        "next_digest_at": engine.to_naive_utc(next_at),
    })
    return get_preferences(session, principal)


def schedule_digests(session: Session, actor: Actor, *, user_ids: Iterable[int], now: datetime) -> None:
    """Give people who never saved settings a digest at the default hour (delivery only)."""
    require_delivery(actor)
    first = engine.to_naive_utc(engine.next_digest(now, engine.zone("UTC"), DeliverySettings().digest_hour))
    repository.ensure_settings(session, [{"user_id": user_id, "next_digest_at": first}
                                         for user_id in sorted(set(user_ids))])


def email_wanted(session: Session, actor: Actor, *, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], bool]:
    """(user, type) -> whether that person wants an e-mail at once (delivery only)."""
    require_delivery(actor)
    pairs = set(pairs)
    saved = repository.list_choices(session, {user_id for user_id, _type in pairs})
    wanted = {}
    for user_id, type in pairs:
        spec = CATALOG.get(type)
        if spec is None:
            wanted[(user_id, type)] = False
            continue
        wanted[(user_id, type)] = spec.critical or saved.get((user_id, type), (True, spec.email))[1]
    return wanted


def delivery_settings(session: Session, actor: Actor, *, user_ids: Iterable[int]) -> dict[int, DeliverySettings]:
    """Each person's zone, quiet hours and digest (defaults for those who saved none; delivery only)."""
    require_delivery(actor)
    rows = repository.list_settings(session, set(user_ids))
    return {user_id: DeliverySettings() if (row := rows.get(user_id)) is None else DeliverySettings(
        timezone=row.timezone, quiet_start=row.quiet_start, quiet_end=row.quiet_end,
        digest_enabled=row.digest_enabled, digest_hour=row.digest_hour) for user_id in set(user_ids)}


def require_delivery(actor: Actor) -> None:
    if DELIVER not in getattr(actor, "permissions", frozenset()):
        raise AuthorizationError(DELIVER)
