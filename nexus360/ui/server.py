"""The web server around the Streamlit app: security headers, the sign-in cookie, "page not found", and the
Streamlit endpoints closed to visitors.

`app.py` at the project's root serves Home.py as an ASGI app (`st.App(..., routes=ROUTES,
middleware=MIDDLEWARE)`), which `streamlit run app.py` (and `python -m nexus360 serve`) detect and run. Serving
Home.py directly still works, without what this module adds.

- The sign-in cookie is set here, by an HTTP response, so it is HttpOnly (no script can read it), SameSite=Strict
  and, over https, Secure: after a local sign-in the page loads `/_nexus360/cookie/<grant>` in an invisible
  frame, and the one-time grant becomes the cookie (`auth.sessions`).
- Every response carries a Content-Security-Policy the app works with, frame-ancestors 'none' (same origin for
  the frames the app itself draws), nosniff, a same-origin Referrer-Policy and, over https, HSTS.
- A path that is no page of the app gets a "page not found" page linking home (Streamlit drew a blank page for
  /crm/deals and silently showed Home for /anything).
- /_stcore/metrics is closed unless NEXUS360_EXPOSE_METRICS is set; the agent API is closed; uploads are
  accepted only from signed-in sessions (an anonymous visitor could fill the server's memory).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import logging
import re
from base64 import b64encode
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import streamlit
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nexus360.auth.sessions import service as sessions
from nexus360.config import PROJECT_ROOT, get_settings
from nexus360.db import Database, session_scope
from nexus360.ui.navigation import PAGES

COOKIE_NAME = "nexus360_session"
COOKIE_PATH = "/_nexus360/cookie/"
SIGNED_OUT_PATH = "/_nexus360/signed-out"
FAVICON = PROJECT_ROOT / "static" / "favicon.png"

# --- uploads only from signed-in sessions -------------------------------------------------------------------

_signed_in_sessions: set[str] = set()  # Streamlit session ids; the sign-in gate adds and removes them


def allow_uploads(session_id: str) -> None:
    _signed_in_sessions.add(session_id)


def forbid_uploads(session_id: str) -> None:
    _signed_in_sessions.discard(session_id)


# --- the sign-in cookie -------------------------------------------------------------------------------------


async def set_cookie(request: Request) -> Response:
    """Trade a session's one-time grant for the sign-in cookie (HttpOnly, SameSite=Strict, Secure over https)."""
    token = await run_in_threadpool(_redeem, request.path_params["grant"])
    if token is None:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(COOKIE_NAME, token, max_age=get_settings().session_max_hours * 3600, path="/",
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


def _redeem(grant: str) -> str | None:
    with session_scope(Database.AUTH) as session:
        return sessions.redeem_grant(session, grant=grant, now=datetime.now(UTC))


async def clear_cookie(request: Request) -> Response:
    """After a sign-out (the server has ended the session already): the browser forgets the cookie too."""
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response


async def favicon(_request: Request) -> Response:
    return FileResponse(FAVICON, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


ROUTES = [
    Route(COOKIE_PATH + "{grant}", set_cookie, methods=["GET"]),
    Route(SIGNED_OUT_PATH, clear_cookie, methods=["GET"]),
    Route("/favicon.png", favicon, methods=["GET", "HEAD"]),
]

# --- headers ------------------------------------------------------------------------------------------------


_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", flags=re.S)


def inline_script_hashes(page: bytes) -> list[str]:
    """CSP hashes of a page's inline scripts: exactly those may run, nothing injected beside them."""
    scripts = _INLINE_SCRIPT.findall(page)
    return [f"'sha256-{b64encode(hashlib.sha256(script).digest()).decode()}'" for script in scripts]


@functools.cache
def _app_page_hashes() -> tuple[str, ...]:
    """Streamlit's index.html has one inline script (it sets window.prerenderReady)."""
    return tuple(inline_script_hashes((Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()))


def content_security_policy(*, framable: bool, script_hashes: Iterable[str] = ()) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *_app_page_hashes(), *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",  # Streamlit's styling writes style elements at run time
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "frame-src": "'self'",
        "worker-src": "'self' blob:",
        "media-src": "'self' data: blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'" if framable else "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# Frames the app draws itself (components, the cookie frame) are same-origin; nothing else may frame anything.
_FRAMABLE_PREFIXES = ("/component/", "/_stcore/bidi-components/", "/_nexus360/")
_COMPONENT_PREFIXES = ("/component/", "/_stcore/bidi-components/")


def security_headers(path: str, *, https: bool, script_hashes: Iterable[str] = ()) -> dict[str, str]:
    framable = path.startswith(_FRAMABLE_PREFIXES)
    headers = {
        "Content-Security-Policy": content_security_policy(framable=framable, script_hashes=script_hashes),
        "X-Frame-Options": "SAMEORIGIN" if framable else "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    }
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


class SecurityHeaders:
    """Adds `security_headers` to every HTTP response (the WebSocket passes untouched).

    A component's page (a browser component's own index.html, from its package) may carry an inline script:
    that page is read whole first, and the hashes of its own inline scripts join its policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, https = _app_path(scope), scope.get("scheme") == "https"
        held: list[Message] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                if path.startswith(_COMPONENT_PREFIXES) and _is_html(message):
                    held.append(message)  # sent with the body, once its scripts are known
                    return
                _add_headers(message, security_headers(path, https=https))
            elif held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body"):
                    return
                body = b"".join(part.get("body", b"") for part in held[1:])
                start = held[0]
                compressed = MutableHeaders(scope=start).get("content-encoding") == "gzip"  # Streamlit gzips pages
                page = gzip.decompress(body) if compressed else body
                _add_headers(start, security_headers(path, https=https, script_hashes=inline_script_hashes(page)))
                MutableHeaders(scope=start)["content-length"] = str(len(body))
                held.clear()
                await send(start)
                message = {"type": "http.response.body", "body": body, "more_body": False}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_html(start: Message) -> bool:
    return MutableHeaders(scope=start).get("content-type", "").startswith("text/html")


def _add_headers(start: Message, extra: dict[str, str]) -> None:
    headers = MutableHeaders(scope=start)
    for name, value in extra.items():
        headers[name] = value


# --- what visitors may reach --------------------------------------------------------------------------------

# Streamlit's own paths and ours; any other path must be the address of a page.
_KNOWN_PREFIXES = ("/_stcore/", "/static/", "/media/", "/component/", "/app/static/", "/auth/", "/_nexus360/")
_KNOWN_FILES = {"/favicon.png", "/manifest.json", "/oauth2callback", "/index.html"}
_UPLOAD = re.compile(r"^/_stcore/upload_file/([^/]+)/")


def page_paths() -> set[str]:
    return {"/"} | {f"/{spec.url_path}" for spec in PAGES}


def is_known_path(path: str) -> bool:
    path = path if path == "/" else path.rstrip("/")
    return path in page_paths() or path in _KNOWN_FILES or path.startswith(_KNOWN_PREFIXES)


class Gate:
    """Answers what Streamlit should not: unknown pages, closed endpoints, anonymous uploads."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _refusal(scope: Scope) -> Response | None:
        path, method = _app_path(scope), scope["method"]
        if path.startswith("/_stcore/metrics") and not get_settings().expose_metrics:
            return Response("Not found", status_code=404, media_type="text/plain")
        if path.startswith("/_stcore/agent/"):
            return Response("Not found", status_code=404, media_type="text/plain")
        upload = _UPLOAD.match(path)
        if upload and method == "PUT" and upload.group(1) not in _signed_in_sessions:
            return Response("Sign in to upload files.", status_code=403, media_type="text/plain")
        if method in ("GET", "HEAD") and not is_known_path(path):
            return not_found_page(path)
        return None


def not_found_page(path: str) -> HTMLResponse:
    """A plain page that says so, with a way home (relative to the app's base path)."""
    depth = max(path.strip("/").count("/"), 0)
    home = "../" * depth or "./"
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found · Nexus360</title><link rel="icon" href="{home}favicon.png"></head>
<body style="font-family: 'Source Sans Pro', 'Segoe UI', sans-serif; color: #1B1B1F; background: #F5F7FA;
margin: 0; display: flex; min-height: 100vh; align-items: center; justify-content: center;">
<main style="background: #FFFFFF; border: 1px solid #E1E5EB; border-radius: 8px; padding: 2rem 2.5rem;
max-width: 32rem;">
<h1 style="margin-top: 0; font-size: 1.6rem;">Page not found</h1>
<p>Nexus360 has no page at <code>{html.escape(path)}</code>.</p>
<p><a href="{home}" style="color: #0F6CBD; font-weight: 600;">Go to the home page</a></p>
</main></body></html>"""
    return HTMLResponse(body, status_code=404, headers={"Cache-Control": "no-store"})


def _app_path(scope: Scope) -> str:
    """The request's path inside the app (without server.baseUrlPath)."""
    from streamlit import config

    base = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
    path = scope.get("path") or "/"
    if base != "/" and (path == base or path.startswith(base + "/")):
        path = path[len(base):] or "/"
    return path


MIDDLEWARE = [Middleware(SecurityHeaders), Middleware(Gate)]


def quiet_access_log() -> None:
    """No line per request in the server's log (Streamlit turns uvicorn's access log on for an st.App); the
    reverse proxy keeps the access log, and the app's own log stays for what went wrong."""
    logging.getLogger("uvicorn.access").disabled = True
