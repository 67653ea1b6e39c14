"""What a visitor's browser gets from the app's own server: an HttpOnly sign-in cookie that signing out anywhere
ends, security headers, "page not found" for addresses that are no page, and nothing fetched from elsewhere."""

from __future__ import annotations

import json
import urllib.request
from urllib.error import HTTPError

from sqlalchemy import delete

from nexus360.auth.models import SignInThrottle
from nexus360.db import Database, session_scope
from tests.e2e.browser import DEMO_PASSWORD, screenshot, sign_in, wait_for_session_cookie, wait_idle


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_sign_in_cookie_is_httponly_and_strict_and_survives_a_reload(app_url: str, page) -> None:
    sign_in(page, app_url, "manager", DEMO_PASSWORD)
    wait_for_session_cookie(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == "nexus360_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "nexus360_session" not in page.evaluate("document.cookie")
    page.reload()
    wait_idle(page)
    page.wait_for_selector("[data-testid=stMetric]")


def test_signing_out_in_one_tab_ends_the_other_tab_on_the_same_cookie(app_url: str, page) -> None:
    sign_in(page, app_url, "rep", DEMO_PASSWORD)
    wait_for_session_cookie(page)
    other = page.context.new_page()  # same browser, same cookie
    other.goto(f"{app_url}/crm")
    wait_idle(other)
    other.wait_for_selector("h1:has-text('CRM')")
    page.bring_to_front()
    page.get_by_role("button", name="Sign out").click()
    wait_idle(page)
    other.bring_to_front()
    other.locator("[data-testid=stSidebarNavLink]", has_text="Home").click()  # the other tab's next click
    wait_idle(other)
    other.get_by_role("button", name="Sign in", exact=True).wait_for()
    assert other.get_by_text("signed out").count() >= 1
    screenshot(other, "signed-out-elsewhere")
    other.reload()
    wait_idle(other)
    assert other.get_by_role("button", name="Sign in", exact=True).is_visible()


def test_pages_carry_security_headers(app_url: str) -> None:
    status, headers, _ = fetch(f"{app_url}/")
    assert status == 200
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_metrics_are_closed_to_visitors(app_url: str) -> None:
    assert fetch(f"{app_url}/_stcore/metrics")[0] == 404
    assert fetch(f"{app_url}/_stcore/health")[0] == 200


def test_an_address_that_is_no_page_says_so_and_links_home(app_url: str, page) -> None:
    for path in ("/crm/deals", "/pages/admin.py", "/no-such-page"):
        response = page.goto(f"{app_url}{path}")
        assert response.status == 404
        assert page.get_by_role("heading", name="Page not found").is_visible()
    screenshot(page, "page-not-found")
    page.get_by_role("link", name="Go to the home page").click()
    wait_idle(page)
    assert page.get_by_role("button", name="Sign in", exact=True).is_visible()


def test_sign_in_and_home_fetch_nothing_from_elsewhere(app_url: str, page) -> None:
    elsewhere: list[str] = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if not request.url.startswith((app_url, "data:", "blob:")) else None)
    sign_in(page, app_url, "manager", DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=stMetric]")
    wait_for_session_cookie(page)
    icon = page.locator("link[rel~='icon']").first.get_attribute("href")
    assert icon and not icon.startswith("http") or icon.startswith(app_url)
    assert elsewhere == []


def test_a_lockout_says_when_to_try_again(app_url: str, page) -> None:
    try:
        page.goto(app_url)
        wait_idle(page)
        for _ in range(8):  # three free failures, then each must wait 2, 4, 8 … seconds: one of them is too soon
            page.get_by_label("Username").fill("nobody-here")
            page.get_by_role("textbox", name="Password").fill("wrong-password")
            page.get_by_role("button", name="Sign in", exact=True).click()
            wait_idle(page)
            if page.get_by_text("Too many failed attempts").count():
                break
        assert page.get_by_text("Too many failed attempts. Try again in").is_visible()
        screenshot(page, "sign-in-lockout")
    finally:
        with session_scope(Database.AUTH, admin=True) as session:
            session.execute(delete(SignInThrottle))


def test_signing_out_writes_no_stray_line_to_the_server_log(app_url: str, page, seeded) -> None:
    """Only the structured line of the write (the session ended) may appear: no warning, no trace, no print."""
    log = seeded / "streamlit.log"
    sign_in(page, app_url, "marketer", DEMO_PASSWORD)
    wait_for_session_cookie(page)
    before = log.read_text()
    page.get_by_role("button", name="Sign out").click()
    wait_idle(page)
    page.get_by_role("button", name="Sign in", exact=True).wait_for()
    page.wait_for_timeout(1000)
    added = log.read_text()[len(before):].splitlines()
    entries = [json.loads(line) for line in added]  # a line that is not a structured entry fails here
    assert all(entry["level"] == "info" for entry in entries), added
