"""The sign-in gate: local accounts through streamlit-authenticator (Entra ID joins in issue 3)."""

from __future__ import annotations

import secrets
from pathlib import Path

import streamlit as st
import streamlit_authenticator as stauth

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.config import get_settings
from nexus360.db import Database, session_scope
from nexus360.errors import NotFoundError
from nexus360.ui.session import friendly_errors

COOKIE_NAME = "nexus360_session"


def _cookie_key() -> str:
    """The key that signs the sign-in cookie: from settings, else one kept in the data dir."""
    settings = get_settings()
    if settings.cookie_key:
        return settings.cookie_key
    path = Path(settings.data_dir) / "cookie_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _authenticator() -> stauth.Authenticate:
    with friendly_errors(), session_scope(Database.AUTH) as session:
        accounts = auth_service.list_local_accounts(session)
    credentials = {
        "usernames": {
            account.username: {
                "email": account.email,
                "first_name": account.first_name or "",
                "last_name": account.last_name or "",
                "password": account.password_hash,
                "roles": list(account.roles),
            }
            for account in accounts
        }
    }
    settings = get_settings()
    return stauth.Authenticate(
        credentials,
        cookie_name=COOKIE_NAME,
        cookie_key=_cookie_key(),
        cookie_expiry_days=settings.cookie_expiry_days,
        auto_hash=False,
    )


def signed_in_principal() -> Principal:
    """Return the signed-in user, or show the sign-in page and stop the script."""
    principal = st.session_state.get("principal")
    if principal is not None:
        return principal
    authenticator = _authenticator()
    _render_sign_in(authenticator)
    username = st.session_state.get("username") if st.session_state.get("authentication_status") else None
    if username:
        principal = _load_principal(username)
        if principal is not None and principal.is_active:
            st.session_state["principal"] = principal
            st.rerun()
        authenticator.logout(location="unrendered")
        st.error("This account is deactivated. Ask an administrator to reactivate it.")
    elif st.session_state.get("authentication_status") is False:
        st.error("Wrong username or password.")
    st.stop()
    raise AssertionError("unreachable")


def _load_principal(username: str) -> Principal | None:
    with friendly_errors(), session_scope(Database.AUTH) as session:
        try:
            return auth_service.get_principal_by_username(session, username)
        except NotFoundError:
            return None


def _render_sign_in(authenticator: stauth.Authenticate) -> None:
    _, middle, _ = st.columns([1, 1.2, 1])
    with middle:
        st.title("Nexus360")
        st.caption("Sales platform · sign in to continue")
        if get_settings().local_login:
            authenticator.login(
                location="main",
                fields={"Form name": "Sign in", "Username": "Username", "Password": "Password", "Login": "Sign in"},
                clear_on_submit=False,
            )
        else:
            st.info("Local sign-in is turned off on this installation.")


def sign_out() -> None:
    """Forget the user in this session and delete the sign-in cookie in the browser."""
    authenticator = _authenticator()
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")
    for key in ("principal", "username", "name", "email", "roles"):
        st.session_state.pop(key, None)
