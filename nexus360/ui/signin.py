"""The sign-in gate, run at the start of every rerun (Home.py).

Local accounts: our form, checked by `signin_service.authenticate_local` (throttling per account and client
address, inactive users, audit). The sign-in starts a session on the server (`auth.sessions`); the page then
loads `/_nexus360/cookie/<grant>` in a one-pixel frame, and the app's server (`nexus360.ui.server`) answers
with the sign-in cookie: HttpOnly, SameSite=Strict, Secure over https, holding a random token whose hash is all
the database keeps. A reload finds the session again through that cookie.

Every rerun checks the session (`sessions_service.check_access`, one indexed query): a user who signed out
(in any window), was deactivated, got other roles or a new password, or stayed idle too long, is back on the
sign-in page at their next click, with a sentence saying why; a changed grant of their roles is read again.

Microsoft Entra ID: `st.login("microsoft")` runs the OpenID Connect flow (Authlib checks state, nonce,
signature and audience) and keeps the identity in Streamlit's own signed cookie; we turn `st.user`'s claims
into a principal with `signin_service.sign_in_from_claims`. `st.logout()` redirects the browser away at once,
so a message meant for after it travels in a short-lived notice cookie.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NoReturn

import extra_streamlit_components as stx
import streamlit as st
from streamlit import config as streamlit_config
from streamlit.runtime.scriptrunner import get_script_run_ctx

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.auth.sessions import service as sessions_service
from nexus360.auth.signin import service as signin_service
from nexus360.config import get_settings
from nexus360.db import Database, session_scope
from nexus360.ui import navigation, server
from nexus360.ui.formatting import literal
from nexus360.ui.session import friendly_errors

COOKIE_NAME = server.COOKIE_NAME
_SIGN_OUT_REQUESTED = "sign_out_requested"
_SESSION_ID = "sign_in_session_id"  # user_sessions.id of this browser tab's session
_COOKIE_GRANT = "sign_in_cookie_grant"  # the one-time grant the cookie frame trades for the cookie
_SIGNED_OUT = "signed_out_here"  # this tab ended its session: the cookie it started with is dead

PROVIDER = "microsoft"  # the [auth.microsoft] section of secrets.toml
EXPIRED_MESSAGE = "Your session has expired; sign in again."
NOTICE_COOKIE = "nexus360_notice"
NOTICE_SECONDS = 120  # long enough for the round trip through the provider's sign-out page
_NOTICES = {"expired": EXPIRED_MESSAGE}  # the cookie carries a code, never text to display
_SIGN_IN_METHOD = "sign_in_method"
_ENTRA_REFUSAL = "entra_refusal"
_NOTICE = "sign_in_notice"
_NOTICE_SAVED = "nexus360_notice_saved"  # the notice cookie component's reply: the cookie is set
_NOTICE_READ = "nexus360_notice_read"
_PENDING_REDIRECT = "pending_auth_redirect"
REDIRECT_RETRY_SECONDS = 10


def request_sign_out() -> None:
    """Button callback: the next run signs out before anything else is drawn."""
    st.session_state[_SIGN_OUT_REQUESTED] = True


def signed_in_principal() -> Principal:
    """Return the signed-in user, or show the sign-in page and stop the script."""
    _send_pending_redirect()
    principal = st.session_state.get("principal")
    if st.session_state.pop(_SIGN_OUT_REQUESTED, False):
        _sign_out(principal)
    elif principal is not None:
        if st.session_state.get(_SIGN_IN_METHOD) == "entra" and _entra_expired():
            _end_expired_entra_session()
        principal = _still_allowed(principal)
        if principal is not None:
            return principal
    if get_settings().local_login:
        principal = _resume_from_cookie()
        if principal is not None:
            return principal
    principal = _entra_sign_in()
    if principal is not None:
        return principal
    box = st.empty()
    with box.container():
        principal = _render_sign_in()
    if principal is None:
        st.set_page_config(initial_sidebar_state="collapsed")  # no empty sidebar left over from a signed-in page
        navigation.hide_until_signed_in()
        st.stop()
    box.empty()
    return principal



def _limits() -> sessions_service.SessionLimits:
    return sessions_service.SessionLimits.from_settings(get_settings())


def _still_allowed(principal: Principal) -> Principal | None:
    """The principal, read again if their access changed; None (and why, on the sign-in page) if it ended."""
    with friendly_errors(), session_scope(Database.AUTH) as session:
        check = sessions_service.check_access(
            session, user_id=principal.id, session_id=st.session_state.get(_SESSION_ID),
            access_version=principal.access_version, now=datetime.now(UTC), limits=_limits(),
        )
        if check.state == "reload":
            principal = auth_service.get_principal(session, principal.id)
    if check.state == "ended":
        _forget(check.message)
        return None
    st.session_state["principal"] = principal
    _allow_uploads(True)
    if check.cookie_pending:  # the frame of an earlier run may not have loaded yet: keep it on the page
        _cookie_frame()
    return principal


def _signed_in(principal: Principal, *, session_id: int, method: str, grant: str | None = None) -> Principal:
    st.session_state["principal"] = principal
    st.session_state[_SESSION_ID] = session_id
    st.session_state[_SIGN_IN_METHOD] = method
    if grant:
        st.session_state[_COOKIE_GRANT] = grant
        _cookie_frame()
    for key in (_NOTICE, _ENTRA_REFUSAL, _SIGNED_OUT):  # an earlier attempt's messages must not resurface
        st.session_state.pop(key, None)
    _allow_uploads(True)
    return principal


def _forget(message: str | None) -> None:
    """This tab is signed out (its session ended on the server); the sign-in page says why."""
    for key in ("principal", _SESSION_ID, _SIGN_IN_METHOD, _COOKIE_GRANT):
        st.session_state.pop(key, None)
    st.session_state[_SIGNED_OUT] = True
    if message:
        st.session_state[_NOTICE] = message
    _allow_uploads(False)


def _app_url(path: str) -> str:
    base = (streamlit_config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{path}" if base else path


def _cookie_frame() -> None:
    """A one-pixel frame whose response sets the HttpOnly sign-in cookie (nexus360.ui.server)."""
    grant = st.session_state.get(_COOKIE_GRANT)
    if grant:
        with st.sidebar:
            st.iframe(_app_url(server.COOKIE_PATH + grant), width=1, height=1)


def _allow_uploads(allowed: bool) -> None:
    context = get_script_run_ctx()
    if context is not None:
        (server.allow_uploads if allowed else server.forbid_uploads)(context.session_id)


def _cookie(name: str) -> str | None:
    """A cookie the browser sent when this tab connected (None outside a browser, as under AppTest)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) and value else None


def _client_address() -> str | None:
    """The visitor's address (behind a trusted proxy, the one it forwards); None on this machine or in a test."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def _resume_from_cookie() -> Principal | None:
    """The browser's sign-in cookie signs the user in again while its session is open on the server."""
    token = _cookie(COOKIE_NAME)
    if not token or st.session_state.get(_SIGNED_OUT):  # the cookies are those the tab opened with: maybe dead
        return None
    with friendly_errors(), session_scope(Database.AUTH) as session:
        resumed = sessions_service.resume(session, token=token, now=datetime.now(UTC), limits=_limits())
    if not isinstance(resumed, tuple):
        _forget(resumed)
        return None
    principal, session_id = resumed
    return _signed_in(principal, session_id=session_id, method=sessions_service.LOCAL)


def _render_sign_in() -> Principal | None:
    principal = None
    _, middle, _ = st.columns([1, 1.2, 1])
    with middle:
        st.title("Nexus360")
        st.caption("Sales platform · sign in to continue")
        notice, carried_over = _notice()
        if notice:
            st.info(notice, icon=":material/schedule:")
        entra_offered = entra_configured()
        if entra_offered:
            _microsoft_buttons()
        if get_settings().local_login:
            if entra_offered:
                st.caption("or with a local account")
            principal = _local_form()
        elif not entra_offered:
            st.info("Local sign-in is turned off on this installation.")
        message = st.session_state.pop("sign_in_error", None)
        if message:
            st.error(literal(message))
    if st.session_state.get(_SIGNED_OUT) and _cookie(COOKIE_NAME):
        st.iframe(_app_url(server.SIGNED_OUT_PATH), width=1, height=1)  # the browser forgets the dead cookie
    if carried_over:  # last, so that these invisible components do not shift what later runs redraw
        with contextlib.suppress(KeyError):  # raised after the delete when the component's cookie list is empty
            _notice_cookies("nexus360_notice_reader").delete(NOTICE_COOKIE, key="nexus360_notice_delete")
    return principal


def _local_form() -> Principal | None:
    with st.form("sign_in", clear_on_submit=False, border=True):
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
    if not submitted:
        return None
    with friendly_errors(), session_scope(Database.AUTH) as session:
        try:
            principal = signin_service.authenticate_local(session, username, password, now=datetime.now(UTC),
                                                          client_address=_client_address())
        except signin_service.SignInRefused as refusal:
            # Caught inside the scope so that it commits: the failure count (throttling) and the audit
            # event of a refusal must persist. Outside, the rollback undid them.
            st.session_state["sign_in_error"] = str(refusal)
            return None
        started = sessions_service.start_session(session, principal, method=sessions_service.LOCAL,
                                                 now=datetime.now(UTC), limits=_limits())
    return _signed_in(principal, session_id=started.id, method=sessions_service.LOCAL, grant=started.grant)


def _sign_out(principal: Principal | None) -> None:
    """End the user's sessions on the server (every tab and device), forget them here, and leave Microsoft."""
    if principal is not None:
        with friendly_errors(), session_scope(Database.AUTH, actor=principal) as session:
            sessions_service.sign_out_everywhere(session, user_id=principal.id, now=datetime.now(UTC))
    _forget(None)
    if entra_configured() and _entra_logged_in():
        _redirect("logout")  # clears Streamlit's identity cookie, signs out at the provider, reloads the app


# --- Microsoft Entra ID ---------------------------------------------------------------------------


def entra_configured() -> bool:
    """True when secrets.toml configures [auth] and [auth.microsoft] completely (no file: False)."""
    if not st.secrets.load_if_toml_exists():  # a probe that never raises
        return False
    auth = st.secrets.get("auth")
    provider = auth.get(PROVIDER) if hasattr(auth, "get") else None
    return (
        hasattr(provider, "get")
        and all(auth.get(key) for key in ("redirect_uri", "cookie_secret"))
        and all(provider.get(key) for key in ("client_id", "client_secret", "server_metadata_url"))
    )


def _entra_logged_in() -> bool:
    return st.user.get("is_logged_in") is True and st.user.get("provider") == PROVIDER


def _entra_expired() -> bool:
    """The ID token's `exp` is past (or missing: fail closed). Streamlit's cookie outlives the token."""
    expires = st.user.get("exp")
    return not isinstance(expires, int | float) or expires <= time.time()


def _entra_sign_in() -> Principal | None:
    """The principal for the Microsoft identity in Streamlit's cookie; None when absent, expired or refused."""
    if not entra_configured() or not _entra_logged_in():
        return None
    if _entra_expired():
        _end_expired_entra_session()
    if _ENTRA_REFUSAL in st.session_state:  # refused once in this session: do not audit every rerun
        return None
    claims: dict[str, Any] = {key: value for key, value in st.user.to_dict().items() if key != "tokens"}
    now = datetime.now(UTC)
    with friendly_errors(), session_scope(Database.AUTH) as session:
        try:
            principal = signin_service.sign_in_from_claims(session, claims, settings=get_settings())
        except signin_service.SignInRefused as refusal:
            # Caught inside the scope, so the refusal's audit event is committed (nothing else changed).
            st.session_state[_ENTRA_REFUSAL] = str(refusal)
            return None
        revoked = sessions_service.revoked_since(session, user_id=principal.id)
        if revoked is not None and not _issued_after(claims.get("iat"), revoked):
            # Signed out everywhere (or access changed) since Microsoft issued this token: sign in again.
            session.rollback()
            st.session_state[_NOTICE] = sessions_service.ENDED_MESSAGES[sessions_service.SIGNED_OUT]
            return None
        started = sessions_service.start_session(session, principal, method=sessions_service.ENTRA, now=now,
                                                 limits=_limits())
    return _signed_in(principal, session_id=started.id, method=sessions_service.ENTRA)


def _issued_after(issued_at: Any, moment: datetime) -> bool:
    return isinstance(issued_at, int | float) and datetime.fromtimestamp(issued_at, UTC) > moment


def _microsoft_buttons() -> None:
    refusal = st.session_state.get(_ENTRA_REFUSAL)
    if refusal and _entra_logged_in():
        # Signed in at Microsoft but not allowed here: say why, and let them leave to pick another account.
        st.error(literal(refusal))
        st.button("Sign out of Microsoft", icon=":material/logout:", width="stretch",
                  on_click=_request_redirect, args=("logout",))
    else:
        st.button("Sign in with Microsoft", type="primary", icon=":material/login:", width="stretch",
                  on_click=_request_redirect, args=("login",))


def _request_redirect(kind: Literal["login", "logout"]) -> None:
    """Button callback. Callbacks run before the script, so a rerun that interrupts this run (a cookie
    component's reply, say) cannot swallow the click; `_send_pending_redirect` then redirects."""
    st.session_state[_PENDING_REDIRECT] = (kind, time.monotonic())


def _redirect(kind: Literal["login", "logout"], *, requested: float | None = None) -> NoReturn:
    """st.login / st.logout, and remember it: `_send_pending_redirect` sends it again if it got lost."""
    st.session_state[_PENDING_REDIRECT] = (kind, time.monotonic() if requested is None else requested)
    if kind == "login":
        st.login(PROVIDER)
    else:
        st.logout()
    st.stop()


def _send_pending_redirect() -> None:
    # A rerun that starts before the browser received the redirect (a component's reply, say) clears
    # Streamlit's outgoing message queue, redirect included; so the next runs send it again. Only for a
    # few seconds, so that coming back with the browser's Back button does not bounce the user away.
    kind, requested = st.session_state.get(_PENDING_REDIRECT, (None, 0.0))
    if kind is not None and time.monotonic() - requested < REDIRECT_RETRY_SECONDS:
        _redirect(kind, requested=requested)
    st.session_state.pop(_PENDING_REDIRECT, None)


def _end_expired_entra_session() -> NoReturn:
    """End the session of an expired token: remember the notice in a cookie, then st.logout() on the reply."""
    session_id = st.session_state.get(_SESSION_ID)
    if session_id is not None:
        with friendly_errors(), session_scope(Database.AUTH) as session:
            sessions_service.end_session(session, session_id=session_id, now=datetime.now(UTC),
                                         reason=sessions_service.EXPIRED)
    _forget(EXPIRED_MESSAGE)
    st.session_state.pop(_SIGNED_OUT, None)
    if st.session_state.get(_NOTICE_SAVED):
        _redirect("logout")
    # The component sets the cookie in the browser and replies, which reruns the script into the branch
    # above; until then (or if components cannot run) the sign-in page shows the message.
    st.session_state[_NOTICE_READ] = True  # an older notice cookie is overwritten, not deleted
    _render_sign_in()
    _notice_cookies("nexus360_notice_writer").set(
        NOTICE_COOKIE, "expired", key=_NOTICE_SAVED, max_age=NOTICE_SECONDS, same_site="lax",
        expires_at=datetime.now() + timedelta(seconds=NOTICE_SECONDS),
    )
    st.stop()


def _notice() -> tuple[str | None, bool]:
    """A message for the sign-in page (from this session, or carried over a sign-out in the notice cookie),
    and whether it was just read from the cookie, which the caller then deletes."""
    code = _cookie(NOTICE_COOKIE)
    carried_over = bool(code) and not st.session_state.get(_NOTICE_READ)
    if carried_over:
        st.session_state[_NOTICE_READ] = True  # the cookie stays in st.context for the whole session
        if code in _NOTICES:
            st.session_state[_NOTICE] = _NOTICES[code]
    return st.session_state.get(_NOTICE), carried_over


def _notice_cookies(key: str) -> stx.CookieManager:
    return stx.CookieManager(key=key)
