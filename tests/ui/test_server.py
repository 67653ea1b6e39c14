"""The app's own server layer (nexus360/ui/server.py) around any ASGI app: headers, the gate, the cookie route."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from nexus360.auth import service as auth_service
from nexus360.auth.sessions import service as sessions
from nexus360.db import Database, session_scope
from nexus360.ui import server

COMPONENT_PAGE = "<html><script>window.ready = 1</script><script src='main.js'></script></html>"


async def component(request) -> Response:
    if request.query_params.get("gzip"):
        return Response(gzip.compress(COMPONENT_PAGE.encode()), media_type="text/html",
                        headers={"content-encoding": "gzip"})
    return HTMLResponse(COMPONENT_PAGE)


async def ok(_request) -> Response:
    return PlainTextResponse("streamlit answered")


def client() -> TestClient:
    inner = [Route("/component/x/index.html", component), Route("/{path:path}", ok, methods=["GET", "PUT"])]
    app = Starlette(routes=server.ROUTES + inner, middleware=server.MIDDLEWARE)
    return TestClient(app, base_url="http://127.0.0.1")


def test_every_response_carries_the_security_headers() -> None:
    headers = client().get("/").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in headers["content-security-policy"]
    assert (headers["x-frame-options"], headers["x-content-type-options"]) == ("DENY", "nosniff")
    assert headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in headers


def test_https_adds_hsts() -> None:
    headers = TestClient(client().app, base_url="https://nexus360.example.com").get("/").headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")


@pytest.mark.parametrize("compressed", [False, True])
def test_a_component_page_may_run_exactly_its_own_inline_script(compressed) -> None:
    response = client().get("/component/x/index.html", params={"gzip": "1"} if compressed else None)
    policy = response.headers["content-security-policy"]
    assert server.inline_script_hashes(b"<script>window.ready = 1</script>")[0] in policy
    assert "frame-ancestors 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.text == COMPONENT_PAGE


@pytest.mark.parametrize("path", ["/crm/deals", "/pages/admin.py", "/nowhere", "/crm/"])
def test_an_address_that_is_no_page_gets_page_not_found(path) -> None:
    response = client().get(path)
    if path == "/crm/":
        assert response.status_code == 200  # a page, with a trailing slash
        return
    assert response.status_code == 404
    assert "Page not found" in response.text and 'href="' in response.text


def test_the_not_found_page_shows_the_path_as_text() -> None:
    response = client().get("/<img src=x onerror=alert(1)>")
    assert "<img" not in response.text and "&lt;img" in response.text


@pytest.mark.parametrize("path", ["/", "/crm", "/admin", "/_stcore/health", "/static/js/x.js", "/app/static/a.json",
                                  "/favicon.png", "/oauth2callback"])
def test_pages_and_streamlits_own_paths_pass(path) -> None:
    assert client().get(path).status_code == 200


def test_metrics_and_the_agent_api_are_closed() -> None:
    assert client().get("/_stcore/metrics").status_code == 404
    assert client().get("/_stcore/agent/openapi.json").status_code == 404


def test_only_signed_in_sessions_may_upload() -> None:
    url = "/_stcore/upload_file/session-abc/file-1"
    assert client().put(url, content=b"x" * 10).status_code == 403
    server.allow_uploads("session-abc")
    try:
        assert client().put(url, content=b"x").text == "streamlit answered"
    finally:
        server.forbid_uploads("session-abc")
    assert client().put(url, content=b"x").status_code == 403


def test_a_grant_becomes_an_httponly_strict_cookie_once(seeded) -> None:
    with session_scope(Database.AUTH) as session:
        rep = auth_service.get_principal_by_username(session, "rep")
        started = sessions.start_session(session, rep, method=sessions.LOCAL, now=datetime.now(UTC),
                                         limits=sessions.SessionLimits.from_settings(server.get_settings()))
    browser = client()
    response = browser.get(server.COOKIE_PATH + started.grant)
    assert response.status_code == 204
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("nexus360_session=") and "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie  # plain http here; over https the cookie is Secure
    assert browser.get(server.COOKIE_PATH + started.grant).status_code == 404
    with session_scope(Database.AUTH) as session:
        token = response.cookies["nexus360_session"]
        assert sessions.resume(session, token=token, now=datetime.now(UTC),
                               limits=sessions.SessionLimits.from_settings(server.get_settings()))[0].id == rep.id


def test_signing_out_deletes_the_cookie() -> None:
    cookie = client().get(server.SIGNED_OUT_PATH).headers["set-cookie"].lower()
    assert cookie.startswith('nexus360_session=""') and "max-age=0" in cookie and "httponly" in cookie
