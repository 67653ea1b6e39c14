"""Local sign-in: clear messages, throttled repeated failures, audited attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from nexus360.auth.models import AuditEvent
from nexus360.auth.signin import service as signin
from nexus360.db import Database

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PASSWORD = "nexus360-demo"


@pytest.fixture
def auth(db):
    return db(Database.AUTH)


def sign_in(auth, username: str, password: str, *, at: datetime = NOW):
    return signin.authenticate_local(auth, username, password, now=at)


def test_right_password_signs_in_with_roles_and_permissions(auth) -> None:
    principal = sign_in(auth, "manager", PASSWORD)
    assert principal.roles == ("sales_manager",)
    assert principal.has("commissions.read_all")


def test_username_is_case_and_space_insensitive(auth) -> None:
    assert sign_in(auth, "  Manager ", PASSWORD).roles == ("sales_manager",)


@pytest.mark.parametrize(("username", "password"), [("manager", "wrong-password"), ("nobody", PASSWORD)])
def test_wrong_password_or_unknown_user_get_the_same_clear_message(auth, username, password) -> None:
    with pytest.raises(signin.SignInRefused, match="^Wrong username or password.$"):
        sign_in(auth, username, password)


@pytest.mark.parametrize(("username", "password"), [("", PASSWORD), ("manager", "")])
def test_empty_fields_are_asked_for(auth, username, password) -> None:
    with pytest.raises(signin.SignInRefused, match="Enter your username and password"):
        sign_in(auth, username, password)


def test_repeated_failures_are_slowed_even_for_the_right_password(auth) -> None:
    for _ in range(signin.FREE_ATTEMPTS):
        with pytest.raises(signin.SignInRefused, match="Wrong"):
            sign_in(auth, "manager", "wrong-password")
    with pytest.raises(signin.SignInRefused, match="Too many failed attempts"):
        sign_in(auth, "manager", PASSWORD, at=NOW + timedelta(seconds=1))
    assert sign_in(auth, "manager", PASSWORD, at=NOW + timedelta(seconds=5)).roles == ("sales_manager",)


def test_the_wait_doubles_and_is_capped() -> None:
    waits = [signin.seconds_to_wait(n, NOW, now=NOW) for n in range(2, 15)]
    assert waits[:4] == [0, 2, 4, 8]
    assert max(waits) == signin.MAX_WAIT_SECONDS


def test_success_resets_the_failure_count(auth) -> None:
    for _ in range(2):
        with pytest.raises(signin.SignInRefused):
            sign_in(auth, "manager", "wrong-password")
    sign_in(auth, "manager", PASSWORD)
    for _ in range(signin.FREE_ATTEMPTS):
        with pytest.raises(signin.SignInRefused, match="Wrong"):
            sign_in(auth, "manager", "wrong-password")


def test_attempts_are_audited(auth) -> None:
    with pytest.raises(signin.SignInRefused):
        sign_in(auth, "manager", "wrong-password")
    sign_in(auth, "manager", PASSWORD)
    events = auth.execute(
        select(AuditEvent.action, AuditEvent.result).order_by(AuditEvent.id.desc()).limit(2)
    ).all()
    assert [tuple(e) for e in events] == [("sign_in.local", "allowed"), ("sign_in.local", "refused")]
