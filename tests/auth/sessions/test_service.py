"""Signed-in sessions live on the server: the cookie is a one-time grant's token, and a session ends when its
user signs out anywhere, is deactivated, gets other roles or a new password, or stays idle or signed in too long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from nexus360.auth import service as auth_service
from nexus360.auth.models import UserSession
from nexus360.auth.sessions import service as sessions
from nexus360.auth.signin import service as signin
from nexus360.auth.users import service as users
from nexus360.db import Database

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LIMITS = sessions.SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=8))


@pytest.fixture
def auth(db):
    return db(Database.AUTH)


@pytest.fixture
def rep(auth):
    return auth_service.get_principal_by_username(auth, "rep")


@pytest.fixture
def admin(auth):
    return auth_service.get_principal_by_username(auth, "admin")


def signed_in(auth, principal, *, at: datetime = NOW) -> tuple[int, str]:
    """A local session with its cookie: (session id, the cookie's token)."""
    started = sessions.start_session(auth, principal, method=sessions.LOCAL, now=at, limits=LIMITS)
    token = sessions.redeem_grant(auth, grant=started.grant, now=at)
    assert token
    return started.id, token


def check(auth, principal, session_id: int | None, *, at: datetime = NOW) -> sessions.AccessCheck:
    return sessions.check_access(auth, user_id=principal.id, session_id=session_id,
                                 access_version=principal.access_version, now=at, limits=LIMITS)


def test_the_cookie_resumes_the_session_it_was_issued_for(auth, rep) -> None:
    session_id, token = signed_in(auth, rep)
    principal, resumed_id = sessions.resume(auth, token=token, now=NOW, limits=LIMITS)
    assert (principal.id, resumed_id) == (rep.id, session_id)
    assert check(auth, rep, session_id) == sessions.AccessCheck("ok")


def test_a_grant_gives_one_cookie_once_and_only_while_fresh(auth, rep) -> None:
    started = sessions.start_session(auth, rep, method=sessions.LOCAL, now=NOW, limits=LIMITS)
    assert check(auth, rep, started.id).cookie_pending
    late = NOW + timedelta(seconds=sessions.GRANT_SECONDS + 1)
    assert sessions.redeem_grant(auth, grant=started.grant, now=late) is None
    assert sessions.redeem_grant(auth, grant=started.grant, now=NOW)
    assert sessions.redeem_grant(auth, grant=started.grant, now=NOW) is None
    assert sessions.resume(auth, token="made-up", now=NOW, limits=LIMITS) is None


def test_the_database_keeps_only_a_hash_of_the_cookie(auth, rep) -> None:
    session_id, token = signed_in(auth, rep)
    stored = auth.get(UserSession, session_id)
    assert token not in (stored.token_hash, stored.grant_hash)
    assert stored.token_hash == sessions.token_hash(token)


def test_signing_out_ends_every_session_of_the_user_and_the_cookie_with_it(auth, rep) -> None:
    first, token = signed_in(auth, rep)
    second, _ = signed_in(auth, rep)
    assert sessions.sign_out_everywhere(auth, user_id=rep.id, now=NOW) >= 2  # and any other test left open
    for session_id in (first, second):
        assert check(auth, rep, session_id).state == "ended"
    assert "signed out" in sessions.resume(auth, token=token, now=NOW, limits=LIMITS)
    assert sessions.revoked_since(auth, user_id=rep.id) == NOW


def test_a_password_reset_ends_the_users_sessions(auth, rep, admin) -> None:
    session_id, _ = signed_in(auth, rep)
    signin.set_local_password(auth, admin, user_id=rep.id, username="rep", password="a-brand-new-password")
    ended = check(auth, rep, session_id)
    assert ended.state == "ended" and "password was changed" in ended.message


def test_deactivation_ends_the_users_sessions(auth, rep, admin) -> None:
    session_id, _ = signed_in(auth, rep)
    users.set_user_active(auth, admin, user_id=rep.id, active=False)
    assert check(auth, rep, session_id) == sessions.AccessCheck("ended", sessions.ENDED_MESSAGES["deactivated"])
    assert check(auth, rep, None).state == "ended"  # a principal held without a session is refused too


def test_a_role_change_ends_the_users_sessions(auth, rep, admin) -> None:
    session_id, _ = signed_in(auth, rep)
    users.set_user_roles(auth, admin, user_id=rep.id, roles=["marketer"])
    assert "roles changed" in check(auth, rep, session_id).message


def test_saving_the_same_roles_again_changes_nothing(auth, rep, admin) -> None:
    session_id, _ = signed_in(auth, rep)
    users.set_user_roles(auth, admin, user_id=rep.id, roles=list(rep.roles))
    assert check(auth, rep, session_id).state == "ok"


def test_a_changed_grant_of_the_users_role_has_the_page_read_their_permissions_again(auth, rep, admin) -> None:
    session_id, _ = signed_in(auth, rep)
    users.set_permission_matrix(auth, admin, matrix={"sales_rep": {"forecasts.read": False}})
    assert check(auth, rep, session_id).state == "reload"
    fresh = auth_service.get_principal(auth, rep.id)
    assert not fresh.has("forecasts.read")
    assert check(auth, fresh, session_id).state == "ok"


def test_an_idle_session_ends_after_the_idle_limit(auth, rep) -> None:
    session_id, _ = signed_in(auth, rep)
    assert check(auth, rep, session_id, at=NOW + timedelta(minutes=29)).state == "ok"  # a click: still active
    idle = check(auth, rep, session_id, at=NOW + timedelta(minutes=29 + 31))
    assert idle.state == "ended" and "30 minutes without activity" in idle.message


def test_a_session_ends_at_the_absolute_limit_however_active(auth, rep) -> None:
    session_id, _ = signed_in(auth, rep)
    for minutes in range(20, 8 * 60, 20):
        assert check(auth, rep, session_id, at=NOW + timedelta(minutes=minutes)).state == "ok"
    ended = check(auth, rep, session_id, at=NOW + timedelta(hours=8, minutes=1))
    assert ended.state == "ended" and "8 hours after signing in" in ended.message


def test_an_ended_session_stays_ended(auth, rep) -> None:
    session_id, _ = signed_in(auth, rep)
    check(auth, rep, session_id, at=NOW + timedelta(hours=9))
    assert check(auth, rep, session_id, at=NOW + timedelta(hours=9)).state == "ended"
    assert auth.scalars(select(UserSession.end_reason).where(UserSession.id == session_id)).one() == "expired"
