"""Sign-in with Microsoft through the real st.login flow, against a local OpenID Connect provider.

A streamlit server of its own gets a secrets.toml (in a temporary directory) whose [auth.microsoft]
points at `tests/support/oidc_provider.py`; Chromium clicks "Sign in with Microsoft" and follows the
redirects through the provider and /oauth2callback, exactly as with Entra ID.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from nexus360.auth import repository
from nexus360.auth import service as auth_service
from nexus360.auth.models import AuditEvent, User, UserRole, UserSession
from nexus360.auth.signin import repository as signin_repository
from nexus360.db import Database, session_scope
from tests.e2e.browser import screenshot, wait_idle
from tests.support.oidc_provider import OIDCProvider

pytestmark = pytest.mark.e2e

CLIENT_ID = "nexus360-e2e"
ROLE_MAP = {"Nexus360.Manager": "sales_manager", "Nexus360.Admin": "admin"}
NEW_USER_EMAIL = "e2e.newcomer@nexus360.example.com"
TIMEOUT_MS = 60_000  # generous: redirects plus the first Home render, on a machine busy with other tests


@pytest.fixture(scope="module")
def provider() -> Iterator[OIDCProvider]:
    with OIDCProvider(client_id=CLIENT_ID, client_secret=secrets.token_urlsafe(24)) as running:
        yield running


@pytest.fixture(scope="module")
def entra_url(
    seeded: Path, provider: OIDCProvider, tmp_path_factory: pytest.TempPathFactory,
    streamlit_server: Callable[..., AbstractContextManager[str]],
) -> Iterator[str]:
    """A streamlit server whose [auth.microsoft] is the local provider, with NEXUS360_ENTRA_ROLE_MAP set."""
    secrets_file = tmp_path_factory.mktemp("entra-secrets") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'  # Streamlit fills in its port
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n\n'
        "[auth.microsoft]\n"
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
    )
    env = {**os.environ, "NEXUS360_ENTRA_ROLE_MAP": json.dumps(ROLE_MAP)}
    args = ["--secrets.files", str(secrets_file)]
    with streamlit_server(seeded / "streamlit-entra.log", env=env, args=args) as url:
        yield url


@pytest.fixture
def rep() -> Iterator[dict[str, Any]]:
    """The seeded `rep` demo user as claims; their row (oid, names, status, roles) is restored afterwards."""
    with session_scope(Database.AUTH, admin=True) as session:
        principal = auth_service.get_principal_by_username(session, "rep")
        user = repository.get_user(session, principal.id)
        saved = (user.azure_id, user.first_name, user.last_name, user.is_active, list(principal.roles))
    yield {"oid": str(uuid.uuid4()), "email": principal.email, "preferred_username": principal.email,
           "xms_edov": True, "given_name": principal.first_name, "family_name": principal.last_name}
    with session_scope(Database.AUTH, admin=True) as session:
        user = repository.get_user(session, principal.id)
        user.azure_id, user.first_name, user.last_name, user.is_active, roles = saved
        repository.replace_user_roles(session, user.id, repository.get_role_ids(session, roles).values(),
                                      actor_id=None, reason="directory sync")


@pytest.fixture
def newcomer() -> Iterator[dict[str, Any]]:
    """Claims of someone Nexus360 has never seen; the user created at their sign-in is removed afterwards."""
    oid = str(uuid.uuid4())
    yield {"oid": oid, "email": NEW_USER_EMAIL, "preferred_username": NEW_USER_EMAIL,
           "given_name": "Noor", "family_name": "Newcomer"}
    with session_scope(Database.AUTH, admin=True) as session:
        user = signin_repository.get_user_by_azure_id(session, oid)
        if user is not None:
            session.execute(delete(UserSession).where(UserSession.user_id == user.id))
            session.execute(delete(UserRole).where(UserRole.user_id == user.id))
            session.execute(delete(AuditEvent).where(AuditEvent.user_id == user.id))
            session.execute(delete(User).where(User.id == user.id))


def set_active(email: str, active: bool) -> None:
    with session_scope(Database.AUTH, admin=True) as session:
        repository.get_user_by_email(session, email).is_active = active


def sign_in_with_microsoft(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    with page.expect_navigation(timeout=TIMEOUT_MS):  # to the provider, and back through /oauth2callback
        page.get_by_role("button", name="Sign in with Microsoft").click()
    wait_idle(page)


def wait_until(condition: Callable[[], bool], page, timeout: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(200)


def assert_signed_out(page) -> None:
    # Not "no sidebar": a server on which nobody has signed in yet shows Streamlit's own page list there.
    assert page.get_by_role("button", name="Sign out", exact=True).count() == 0


def sidebar_text(page) -> str:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name="Sign out").wait_for(timeout=TIMEOUT_MS)
    return sidebar.inner_text()


def test_microsoft_sign_in_lands_on_home_survives_a_reload_and_signs_out(
    entra_url: str, provider: OIDCProvider, rep: dict[str, Any], page
) -> None:
    provider.next_user = rep
    sign_in_with_microsoft(page, entra_url)
    assert "Emily Chen" in sidebar_text(page)
    assert "Sales rep" in sidebar_text(page)
    screenshot(page, "entra-signed-in")

    page.reload()
    wait_idle(page)
    assert "Emily Chen" in sidebar_text(page)

    logouts = len(provider.logouts)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in with Microsoft").wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    assert len(provider.logouts) == logouts + 1  # signed out at the provider too
    assert_signed_out(page)

    page.reload()  # Streamlit's identity cookie is gone: still signed out
    page.get_by_role("button", name="Sign in with Microsoft").wait_for()
    wait_idle(page)
    assert_signed_out(page)


def test_a_deactivated_user_is_refused_with_a_clear_message(
    entra_url: str, provider: OIDCProvider, rep: dict[str, Any], page
) -> None:
    set_active(rep["email"], False)
    provider.next_user = rep
    sign_in_with_microsoft(page, entra_url)
    page.get_by_text("This account is deactivated. Ask an administrator to reactivate it.").wait_for()
    assert_signed_out(page)
    screenshot(page, "entra-refused")

    page.get_by_role("button", name="Sign out of Microsoft").click()
    page.get_by_role("button", name="Sign in with Microsoft").wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    assert not page.get_by_text("This account is deactivated").is_visible()


def test_an_app_role_in_the_token_gives_that_role_and_its_pages(
    entra_url: str, provider: OIDCProvider, newcomer: dict[str, Any], page
) -> None:
    provider.next_user = {**newcomer, "roles": ["Nexus360.Manager"]}
    sign_in_with_microsoft(page, entra_url)
    text = sidebar_text(page)
    assert "Noor Newcomer" in text
    assert "Sales manager" in text
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    assert "Forecasts" in nav
    assert "Admin" not in nav


def test_an_admin_app_role_shows_the_admin_page(
    entra_url: str, provider: OIDCProvider, rep: dict[str, Any], page
) -> None:
    provider.next_user = {**rep, "roles": ["Nexus360.Admin"]}
    sign_in_with_microsoft(page, entra_url)
    assert "Administrator" in sidebar_text(page)
    assert "Admin" in page.get_by_test_id("stSidebarNav").inner_text()


def test_an_expired_token_ends_the_session_with_a_message(
    entra_url: str, provider: OIDCProvider, rep: dict[str, Any], page
) -> None:
    # Authlib accepts up to two minutes of clock skew, so this token passes the callback and is
    # then found expired by the app, as a real one is an hour after sign-in.
    provider.next_user = {**rep, "exp": int(time.time()) - 30}
    logouts = len(provider.logouts)
    arrivals: list[str] = []
    page.on("load", lambda loaded: arrivals.append(loaded.url))
    sign_in_with_microsoft(page, entra_url)
    # Three page loads: the sign-in page, back from signing in, back from signing out (via the provider).
    wait_until(lambda: len(arrivals) >= 3 and len(provider.logouts) > logouts, page)
    assert len(provider.logouts) == logouts + 1
    page.get_by_text("Your session has expired; sign in again.").wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Sign in with Microsoft").wait_for()
    wait_idle(page)
    screenshot(page, "entra-expired")
    assert_signed_out(page)


def test_a_token_that_expires_during_the_session_ends_it_at_the_next_click(
    entra_url: str, provider: OIDCProvider, rep: dict[str, Any], page
) -> None:
    # Long enough to land on Home even on a busy machine; then the next click finds the token expired.
    provider.next_user = {**rep, "exp": int(time.time()) + 25}
    sign_in_with_microsoft(page, entra_url)
    assert "Emily Chen" in sidebar_text(page)
    logouts = len(provider.logouts)
    arrivals: list[str] = []
    page.on("load", lambda loaded: arrivals.append(loaded.url))
    page.wait_for_timeout(max(0, (provider.next_user["exp"] - time.time()) * 1000) + 1000)
    page.get_by_test_id("stSidebarNav").get_by_text("CRM").click()
    wait_until(lambda: len(arrivals) >= 1, page)  # back from signing out at the provider
    assert len(provider.logouts) == logouts + 1
    page.get_by_role("button", name="Sign in with Microsoft").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("Your session has expired; sign in again.").wait_for()
    assert_signed_out(page)
