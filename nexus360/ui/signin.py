"""The sign-in gate.

Local accounts: our form, checked by `signin_service.authenticate_local` (throttling, inactive users,
audit); streamlit-authenticator keeps the signed session cookie, so a reload stays signed in.
Cookie writes happen through a browser component, so after a sign-in or sign-out the page is drawn
in the same run (no st.rerun) and the component gets to run. Reading the cookie needs no component
(the request's cookies are in st.context): a reload that resumes a session draws none, because a
component answers its first render with a rerun, and that second run of the whole page drew it twice
(issue 13, item 6). The component is drawn only in runs that write or delete the cookie.

Microsoft Entra ID: `st.login("microsoft")` runs the OpenID Connect flow (Authlib checks state,
nonce, signature and audience) and keeps the identity in Streamlit's own signed cookie; we turn
`st.user`'s claims into a principal with `signin_service.sign_in_from_claims`. `st.logout()` redirects the
browser away at once, so a message meant for after it travels in a short-lived notice cookie.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NoReturn

import extra_streamlit_components as stx
import jwt
import streamlit as st
import streamlit_authenticator as stauth

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.auth.signin import service as signin_service
from nexus360.common.errors import NotFoundError
from nexus360.config import get_settings
from nexus360.db import Database, session_scope
from nexus360.ui import navigation
from nexus360.ui.session import friendly_errors

COOKIE_NAME = "nexus360_session"
_SIGN_OUT_REQUESTED = "sign_out_requested"

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
    """streamlit-authenticator, used for its signed cookie; passwords are checked by our service."""
    return stauth.Authenticate(
        {"usernames": {}},
        cookie_name=COOKIE_NAME,
        cookie_key=_cookie_key(),
        cookie_expiry_days=get_settings().cookie_expiry_days,
        auto_hash=False,
    )


def request_sign_out() -> None:
    """Button callback: the next run signs out before anything else is drawn."""
    st.session_state[_SIGN_OUT_REQUESTED] = True


def signed_in_principal() -> Principal:
    """Return the signed-in user, or show the sign-in page and stop the script."""
    _send_pending_redirect()
    signing_out = st.session_state.pop(_SIGN_OUT_REQUESTED, False)
    if not signing_out and st.session_state.get("principal") is not None:
        if st.session_state.get(_SIGN_IN_METHOD) != "entra" or not _entra_expired():
            return st.session_state["principal"]
        _end_expired_entra_session()
    # One authenticator per run, and only in runs that may write or delete the cookie (the sign-in page,
    # sign-out, a refused cookie), never in a run that resumes a session from it: it draws a cookie
    # component with a fixed key (a second one in the same run fails with a duplicate-key error), and
    # the component answers its first render with a rerun.
    local = get_settings().local_login
    cookies = _CookieWriter()
    if signing_out:
        _sign_out(cookies if local else None)
    if local and not st.session_state.get("logout"):
        principal = _resume_from_cookie(cookies)
        if principal is not None:
            return _signed_in(principal)
    principal = _entra_sign_in()
    if principal is not None:
        return _signed_in(principal)
    if local:  # mounted while the form shows, so that it is ready to write the cookie when the form is sent
        cookies.authenticator  # noqa: B018
    box = st.empty()
    with box.container():
        principal = _render_sign_in()
    if principal is None or not local:
        navigation.hide_until_signed_in()
        st.stop()
    box.empty()
    st.session_state["username"] = principal.email
    st.session_state["logout"] = None
    cookies.authenticator.cookie_controller.set_cookie()
    return _signed_in(principal)


def _signed_in(principal: Principal) -> Principal:
    st.session_state["principal"] = principal
    for key in (_NOTICE, _ENTRA_REFUSAL):  # messages of an earlier attempt must not resurface at sign-out
        st.session_state.pop(key, None)
    return principal


class _CookieWriter:
    """The run's authenticator, made on first use (making it draws the cookie component)."""

    def __init__(self) -> None:
        self._made: stauth.Authenticate | None = None

    @property
    def authenticator(self) -> stauth.Authenticate:
        if self._made is None:
            self._made = _authenticator()
        return self._made

    def delete(self) -> None:
        self.authenticator.cookie_controller.delete_cookie()


def _cookie_token() -> dict[str, Any] | None:
    """The sign-in cookie's claims when its signature holds and it has not expired (as streamlit-authenticator
    checks them), read from the request without drawing the cookie component."""
    raw = st.context.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        token = jwt.decode(raw, _cookie_key(), algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    if "username" not in token or float(token.get("exp_date", 0)) <= datetime.now().timestamp():
        return None
    return token


def _resume_from_cookie(cookies: _CookieWriter) -> Principal | None:
    """A valid, unexpired sign-in cookie signs the user in again, if they are still active."""
    token = _cookie_token()
    if not token:
        return None
    # streamlit-authenticator's token carries its expiry only: issued = expiry - lifetime.
    issued_at = datetime.fromtimestamp(token["exp_date"], UTC) - timedelta(days=get_settings().cookie_expiry_days)
    with friendly_errors(), session_scope(Database.AUTH) as session:
        try:
            principal = auth_service.get_principal_by_email(session, token["username"])
        except NotFoundError:
            principal = None
        if principal is not None and not signin_service.cookie_still_valid(
            session, user_id=principal.id, issued_at=issued_at
        ):
            cookies.delete()
            return None  # signed out since: the server refuses the cookie whatever the browser kept
    if principal is None or not principal.is_active:
        cookies.delete()
        st.session_state["sign_in_error"] = "This account is deactivated. Ask an administrator to reactivate it."
        return None
    return principal


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
            st.error(message)
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
            return signin_service.authenticate_local(session, username, password, now=datetime.now(UTC))
        except signin_service.SignInRefused as refusal:
            # Caught inside the scope so that it commits: the failure count (throttling) and the audit
            # event of a refusal must persist. Outside, the rollback undid them.
            st.session_state["sign_in_error"] = str(refusal)
            return None


def _sign_out(cookies: _CookieWriter | None) -> None:
    """Forget the user in this session, revoke their cookies on the server and delete them here."""
    principal = st.session_state.pop("principal", None)
    if principal is not None and st.session_state.get(_SIGN_IN_METHOD) != "entra":
        with friendly_errors(), session_scope(Database.AUTH, actor=principal) as session:
            signin_service.record_sign_out(session, user_id=principal.id, now=datetime.now(UTC))
    st.session_state.pop(_SIGN_IN_METHOD, None)
    st.session_state["logout"] = True
    if cookies is not None:
        cookies.delete()
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
    with friendly_errors(), session_scope(Database.AUTH) as session:
        try:
            principal = signin_service.sign_in_from_claims(session, claims, settings=get_settings())
        except signin_service.SignInRefused as refusal:
            # Caught inside the scope, so the refusal's audit event is committed (nothing else changed).
            st.session_state[_ENTRA_REFUSAL] = str(refusal)
            return None
    st.session_state[_SIGN_IN_METHOD] = "entra"
    return principal


def _microsoft_buttons() -> None:
    refusal = st.session_state.get(_ENTRA_REFUSAL)
    if refusal and _entra_logged_in():
        # Signed in at Microsoft but not allowed here: say why, and let them leave to pick another account.
        st.error(refusal)
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
    st.session_state.pop("principal", None)
    st.session_state.pop(_SIGN_IN_METHOD, None)
    st.session_state[_NOTICE] = EXPIRED_MESSAGE
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
    code = st.context.cookies.get(NOTICE_COOKIE)
    carried_over = bool(code) and not st.session_state.get(_NOTICE_READ)
    if carried_over:
        st.session_state[_NOTICE_READ] = True  # the cookie stays in st.context for the whole session
        if code in _NOTICES:
            st.session_state[_NOTICE] = _NOTICES[code]
    return st.session_state.get(_NOTICE), carried_over


def _notice_cookies(key: str) -> stx.CookieManager:
    return stx.CookieManager(key=key)
