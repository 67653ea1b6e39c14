"""Queries of sign-in: local credentials, and users as Entra ID finds them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.auth.models import LocalCredential, User


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
