"""Queries of sign-in: local credentials, the failed-attempt counters, and users as Entra ID finds them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from nexus360.auth.models import LocalCredential, SignInThrottle, User


def get_local_credential(session: Session, username: str) -> LocalCredential | None:
    statement = select(LocalCredential).where(func.lower(LocalCredential.username) == username.strip().lower())
    return session.scalars(statement).first()


def get_local_credential_by_user(session: Session, user_id: int) -> LocalCredential | None:
    return session.get(LocalCredential, user_id)


def upsert_local_credential(session: Session, *, user_id: int, username: str, password_hash: str) -> None:
    credential = session.get(LocalCredential, user_id)
    if credential is None:
        session.add(LocalCredential(user_id=user_id, username=username, password_hash=password_hash))
    else:
        credential.username = username
        credential.password_hash = password_hash
        credential.failed_attempts = 0
        credential.last_failed_at = None
    session.flush()


def get_user_by_azure_id(session: Session, azure_id: str) -> User | None:
    return session.scalars(select(User).where(User.azure_id == azure_id)).first()


# --- failed-attempt counters -------------------------------------------------------------------------------


def lock_throttle(session: Session, scope: str, key: str) -> tuple[int, datetime | None]:
    """(failures, last failure) of one counter, created if new, and locked until the transaction ends: a
    parallel attempt on the same counter waits here and then sees this one's count."""
    table = SignInThrottle.__table__
    statement = (
        insert(table).values(scope=scope, key=key, failures=0)
        .on_conflict_do_update(index_elements=[table.c.scope, table.c.key], set_={"failures": table.c.failures})
        .returning(table.c.failures, table.c.last_failed_at)
    )
    failures, last_failed_at = session.execute(statement).one()
    return failures, last_failed_at


def count_failure(session: Session, scope: str, key: str, *, at: datetime, restart: bool) -> int:
    """One more failure on a (locked) counter, or the first of a new spell; the new count."""
    table = SignInThrottle.__table__
    failures = 1 if restart else table.c.failures + 1
    statement = (
        update(table).where(table.c.scope == scope, table.c.key == key)
        .values(failures=failures, last_failed_at=at).returning(table.c.failures)
    )
    return int(session.execute(statement).scalar_one())


def clear_throttle(session: Session, scope: str, key: str) -> None:
    session.execute(delete(SignInThrottle).where(SignInThrottle.scope == scope, SignInThrottle.key == key))
