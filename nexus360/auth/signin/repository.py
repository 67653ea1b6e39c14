"""Queries of sign-in: local credentials, the failed-attempt counters, and users as Entra ID finds them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from nexus360.auth.models import LocalCredential, SignInThrottle, User


def get_password_hash(session: Session, username: str) -> tuple[int, str] | None:
    """(user id, bcrypt hash) of one local account: the app's role reads hashes only through this function."""
    row = session.execute(text("SELECT user_id, password_hash FROM nexus360_local_credential(:name)"),
                          {"name": username}).first()
    return (int(row.user_id), row.password_hash) if row else None


def get_credential_owner(session: Session, username: str) -> int | None:
    """The user whose local account has this username (any case), if any."""
    statement = select(LocalCredential.user_id).where(func.lower(LocalCredential.username) == username.strip().lower())
    return session.scalars(statement).first()


def upsert_local_credential(session: Session, *, user_id: int, username: str, password_hash: str) -> None:
    table = LocalCredential.__table__
    statement = insert(table).values(user_id=user_id, username=username, password_hash=password_hash)
    session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.user_id],
        set_={"username": username, "password_hash": password_hash, "failed_attempts": 0, "last_failed_at": None},
    ))


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
