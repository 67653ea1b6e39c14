"""The sign-in throttle holds under parallel attempts, per client address and per account from an address,
and answers an unknown username exactly as a known one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from nexus360.auth.models import SignInThrottle
from nexus360.auth.signin import service as signin
from nexus360.db import Database, session_scope

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PASSWORD = "nexus360-demo"
PARALLEL = 12


@pytest.fixture
def auth(db):
    return db(Database.AUTH)


def attempt(session, username: str, password: str, *, address: str | None = "198.51.100.7", at: datetime = NOW,
            limits: signin.ThrottleLimits | None = None) -> str:
    try:
        signin.authenticate_local(session, username, password, now=at, client_address=address, limits=limits)
    except signin.SignInRefused as refusal:
        return str(refusal)
    return "signed in"


@pytest.fixture
def committed_counters(seeded):
    """For tests whose attempts commit (as the page does): their counters are removed afterwards."""
    yield
    with session_scope(Database.AUTH, admin=True) as session:
        session.execute(delete(SignInThrottle))


@pytest.mark.usefixtures("committed_counters")
def test_parallel_wrong_passwords_get_only_the_free_checks_and_all_are_counted(monkeypatch) -> None:
    checks: list[str] = []
    real_verify = signin.verify_password

    def counting_verify(password: str, password_hash: str) -> bool:
        checks.append(password)
        return real_verify(password, password_hash)

    monkeypatch.setattr(signin, "verify_password", counting_verify)
    start = threading.Barrier(PARALLEL)
    replies: list[str] = []

    def one_attempt() -> None:
        start.wait()
        with session_scope(Database.AUTH) as session:  # as the sign-in page: the refusal's count commits
            replies.append(attempt(session, "manager", "wrong-password"))  # all at the same moment

    threads = [threading.Thread(target=one_attempt) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(checks) == signin.FREE_ATTEMPTS
    assert replies.count("Wrong username or password.") == signin.FREE_ATTEMPTS
    assert all(reply.startswith("Too many failed attempts") for reply in replies if not reply.startswith("Wrong"))
    with session_scope(Database.AUTH, admin=True) as session:
        counts = dict(session.execute(select(SignInThrottle.scope, SignInThrottle.failures)).all())
    assert counts == {signin.ACCOUNT: signin.FREE_ATTEMPTS, signin.ADDRESS: signin.FREE_ATTEMPTS}


@pytest.mark.parametrize("username", ["manager", "nobody-by-this-name"])
def test_the_lockout_reply_is_the_same_for_known_and_unknown_usernames(auth, username) -> None:
    replies = [attempt(auth, username, "wrong-password", at=NOW + timedelta(seconds=n))
               for n in range(signin.FREE_ATTEMPTS + 1)]
    assert replies[:-1] == ["Wrong username or password."] * signin.FREE_ATTEMPTS
    assert replies[-1] == "Too many failed attempts. Try again in 1 seconds."


def test_failures_from_one_address_do_not_lock_the_account_out_elsewhere(auth) -> None:
    for _ in range(signin.FREE_ATTEMPTS + 2):
        attempt(auth, "manager", "wrong-password", address="203.0.113.66")
    assert attempt(auth, "manager", "wrong-password", address="203.0.113.66").startswith("Too many")
    assert attempt(auth, "manager", PASSWORD, address="198.51.100.7") == "signed in"


def test_one_address_trying_many_accounts_is_slowed(auth) -> None:
    limits = signin.ThrottleLimits(address_free_attempts=4)
    replies = [attempt(auth, f"guess{n}", "wrong-password", limits=limits) for n in range(5)]
    assert replies[:4] == ["Wrong username or password."] * 4
    assert replies[4].startswith("Too many failed attempts")


def test_failures_are_forgotten_after_a_quiet_window(auth) -> None:
    for _ in range(signin.FREE_ATTEMPTS + 3):
        attempt(auth, "manager", "wrong-password")
    later = NOW + signin.ThrottleLimits().window + timedelta(seconds=1)
    assert attempt(auth, "manager", PASSWORD, at=later) == "signed in"


def test_counters_store_no_username_or_address(auth) -> None:
    attempt(auth, "my-secret-typed-here", "wrong-password")
    keys = set(auth.scalars(select(SignInThrottle.key)))
    assert keys and not any("secret" in key or "198.51" in key for key in keys)
    assert all(len(key) == 64 for key in keys)
