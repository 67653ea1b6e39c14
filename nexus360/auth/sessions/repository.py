"""Queries of signed-in sessions (user_sessions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, and_, func, select, update
from sqlalchemy.orm import Session

from nexus360.auth.models import User, UserSession


def add_session(session: Session, *, user_id: int, method: str, at: datetime, grant_hash: str | None,
                grant_expires_at: datetime | None) -> int:
    row = UserSession(user_id=user_id, method=method, created_at=at, last_seen_at=at, grant_hash=grant_hash,
                      grant_expires_at=grant_expires_at)
    session.add(row)
    session.flush()
    return row.id


def redeem_grant(session: Session, *, grant_hash: str, token_hash: str, at: datetime) -> int | None:
    """Give the open session holding this unexpired grant the cookie token instead; its id, or None."""
    statement = (
        update(UserSession)
        .where(UserSession.grant_hash == grant_hash, UserSession.grant_expires_at > at,
               UserSession.ended_at.is_(None))
        .values(token_hash=token_hash, grant_hash=None, grant_expires_at=None)
        .returning(UserSession.id)
    )
    return session.execute(statement).scalar_one_or_none()


def find_by_token(session: Session, token_hash: str) -> UserSession | None:
    return session.scalars(select(UserSession).where(UserSession.token_hash == token_hash)).first()


def get_access(session: Session, *, user_id: int, session_id: int | None) -> Row | None:
    """The user's active flag and access version with their session's state, in one indexed query."""
    joined = and_(UserSession.id == session_id, UserSession.user_id == User.id)
    statement = (
        select(User.is_active, User.access_version, UserSession.id.label("session_id"), UserSession.created_at,
               UserSession.last_seen_at, UserSession.ended_at, UserSession.end_reason,
               UserSession.grant_hash.is_not(None).label("cookie_pending"))
        .outerjoin(UserSession, joined)
        .where(User.id == user_id)
    )
    return session.execute(statement).first()


def touch(session: Session, session_id: int, *, at: datetime) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=at))


def end_session(session: Session, session_id: int, *, at: datetime, reason: str) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
                    .values(ended_at=at, end_reason=reason))


def end_user_sessions(session: Session, user_id: int, *, at: datetime, reason: str,
                      idle_before: datetime | None = None) -> int:
    """End the user's open sessions (only those idle since `idle_before`, if given); how many."""
    statement = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if idle_before is not None:
        statement = statement.where(UserSession.last_seen_at < idle_before)
    return session.execute(statement.values(ended_at=at, end_reason=reason)).rowcount or 0


def last_revoked_at(session: Session, user_id: int, *, reasons: tuple[str, ...]) -> datetime | None:
    """When a session of the user last ended for one of `reasons`."""
    statement = select(func.max(UserSession.ended_at)).where(UserSession.user_id == user_id,
                                                             UserSession.end_reason.in_(reasons))
    return session.execute(statement).scalar_one_or_none()
