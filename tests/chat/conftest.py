"""The seeded demo users as principals, and helpers for the assistant's tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.db import Database, session_scope


def principal_for(username: str) -> Principal:
    with session_scope(Database.AUTH) as session:
        return auth_service.get_principal_by_username(session, username)


@pytest.fixture
def rep(seeded) -> Principal:
    return principal_for("rep")


@pytest.fixture
def manager(seeded) -> Principal:
    return principal_for("manager")


@pytest.fixture
def marketer(seeded) -> Principal:
    return principal_for("marketer")


@pytest.fixture
def admin(seeded) -> Principal:
    return principal_for("admin")


@pytest.fixture
def conversations_cleanup(seeded) -> Iterator[list[tuple[Principal, int]]]:
    """Conversations a flow test created (flows commit): deleted afterwards."""
    from nexus360.chat.conversations import service

    created: list[tuple[Principal, int]] = []
    yield created
    for principal, conversation_id in created:
        with session_scope(Database.CHAT, actor=principal) as session, contextlib.suppress(Exception):
                service.delete_conversation(session, principal, conversation_id=conversation_id)
