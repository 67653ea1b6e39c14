"""Signed-in sessions, kept on the server so that the server can end them.

A local sign-in starts a session with a one-time grant; the app's own route (`nexus360.ui.server`) trades the
grant for the sign-in cookie, a random token set HttpOnly by the server, whose hash is all the database keeps.
A Microsoft sign-in starts a session without a cookie (Streamlit keeps that identity). Every rerun checks the
session with `check_access`, one indexed query: a session ends when its user signs out (everywhere), is
deactivated, gets other roles or a new password (triggers of auth_0005 do that, whichever path changed them),
or after the idle and absolute limits; a changed grant of one of the user's roles only makes the page read the
user's permissions again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from nexus360.auth.audit import service as audit
from nexus360.auth.schemas import Principal
from nexus360.auth.service import get_principal
from nexus360.auth.sessions import repository
from nexus360.config import Settings

LOCAL, ENTRA = "local", "entra"
GRANT_SECONDS = 120  # the browser fetches the cookie right after the page shows; a grant never lives long
TOUCH_SECONDS = 60  # last_seen_at is written at most this often per session
SIGNED_OUT, DEACTIVATED, IDLE, EXPIRED = "signed out", "deactivated", "idle", "expired"
# Ends that revoke whatever identity was issued before them (a Microsoft sign-in kept by another browser).
REVOKING = (SIGNED_OUT, DEACTIVATED, "roles changed", "password changed")


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionLimits:
        return cls(idle=timedelta(minutes=settings.session_idle_minutes),
                   absolute=timedelta(hours=settings.session_max_hours))

    def message(self, reason: str | None) -> str:
        """What the sign-in page says about a session that ended for `reason`."""
        if reason == IDLE:
            return f"You were signed out after {_duration(self.idle)} without activity; sign in again."
        if reason == EXPIRED:
            return f"You were signed out {_duration(self.absolute)} after signing in; sign in again."
        return ENDED_MESSAGES.get(reason or "", ENDED_MESSAGES[SIGNED_OUT])


ENDED_MESSAGES = {
    SIGNED_OUT: "You were signed out (here or in another window); sign in again.",
    DEACTIVATED: "This account is deactivated. Ask an administrator to reactivate it.",
    "roles changed": "Your roles changed, so you were signed out; sign in again to continue.",
    "password changed": "Your password was changed, so you were signed out; sign in with the new one.",
}


@dataclass(frozen=True)
class StartedSession:
    id: int
    grant: str | None  # for the cookie route, once; None for a Microsoft sign-in


@dataclass(frozen=True)
class AccessCheck:
    """What an open session's rerun may do: go on, read the principal again first, or stop (and why)."""

    state: Literal["ok", "reload", "ended"]
    message: str | None = None
    cookie_pending: bool = False  # the browser has not fetched its cookie yet


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, principal: Principal, *, method: str, now: datetime,
                  limits: SessionLimits) -> StartedSession:
    """A session for a principal who has just signed in (the sign-in checked who they are)."""
    at = _naive_utc(now)
    repository.end_user_sessions(session, principal.id, at=at, reason=IDLE, idle_before=at - limits.idle)
    grant = secrets.token_urlsafe(32) if method == LOCAL else None
    session_id = repository.add_session(
        session, user_id=principal.id, method=method, at=at, grant_hash=token_hash(grant) if grant else None,
        grant_expires_at=at + timedelta(seconds=GRANT_SECONDS) if grant else None,
    )
    return StartedSession(id=session_id, grant=grant)


def redeem_grant(session: Session, *, grant: str, now: datetime) -> str | None:
    """The cookie for a session's one-time grant (a new random token), or None: unknown, used or expired."""
    token = secrets.token_urlsafe(32)
    redeemed = repository.redeem_grant(session, grant_hash=token_hash(grant), token_hash=token_hash(token),
                                       at=_naive_utc(now))
    return token if redeemed is not None else None


def resume(session: Session, *, token: str, now: datetime,
           limits: SessionLimits) -> tuple[Principal, int] | str | None:
    """The principal and session behind a sign-in cookie; a sentence when it has ended; None when unknown."""
    row = repository.find_by_token(session, token_hash(token))
    if row is None:
        return None
    check = check_access(session, user_id=row.user_id, session_id=row.id, access_version=None, now=now,
                         limits=limits)
    if check.state == "ended":
        return check.message
    return get_principal(session, row.user_id), row.id


def check_access(session: Session, *, user_id: int, session_id: int | None, access_version: int | None,
                 now: datetime, limits: SessionLimits) -> AccessCheck:
    """May this session go on? One indexed query; ends a session past its limits; notes activity."""
    at = _naive_utc(now)
    row = repository.get_access(session, user_id=user_id, session_id=session_id)
    if row is None or row.is_active is False:
        return AccessCheck("ended", ENDED_MESSAGES[DEACTIVATED])
    if session_id is not None:
        if row.session_id is None or row.ended_at is not None:
            return AccessCheck("ended", limits.message(row.end_reason))
        reason = EXPIRED if at - row.created_at > limits.absolute else IDLE if at - row.last_seen_at > limits.idle \
            else None
        if reason:
            repository.end_session(session, session_id, at=at, reason=reason)
            audit.record(session, user_id=user_id, action="session.end", result=audit.ALLOWED,
                         object_type="session", object_id=session_id, details={"reason": reason})
            return AccessCheck("ended", limits.message(reason))
        if (at - row.last_seen_at).total_seconds() >= TOUCH_SECONDS:
            repository.touch(session, session_id, at=at)
    stale = access_version is not None and row.access_version != access_version
    return AccessCheck("reload" if stale else "ok", cookie_pending=bool(row.cookie_pending))


def end_session(session: Session, *, session_id: int, now: datetime, reason: str) -> None:
    """End one session (a Microsoft token that expired, say)."""
    repository.end_session(session, session_id, at=_naive_utc(now), reason=reason)


def sign_out_everywhere(session: Session, *, user_id: int, now: datetime) -> int:
    """End every open session of the user (every tab and device); how many were open."""
    ended = repository.end_user_sessions(session, user_id, at=_naive_utc(now), reason=SIGNED_OUT)
    audit.record(session, user_id=user_id, action="sign_out", result=audit.ALLOWED, details={"sessions": ended})
    return ended


def revoked_since(session: Session, *, user_id: int) -> datetime | None:
    """When the user last signed out everywhere, or lost access: identities issued before are refused (UTC)."""
    moment = repository.last_revoked_at(session, user_id, reasons=REVOKING)
    return moment.replace(tzinfo=UTC) if moment else None


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
