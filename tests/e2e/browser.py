"""Helpers for browser tests: wait for Streamlit, sign in, take screenshots to look at."""

from __future__ import annotations

import re
from pathlib import Path

from nexus360.config import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "artifacts"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
DEMO_PASSWORD = "nexus360-demo"


def wait_idle(page, *, settle_ms: int = 600) -> None:
    """Wait until Streamlit has finished running the script and stays idle for `settle_ms`.

    A browser component (the cookie manager) answers after its first render, which starts one more
    run; waiting for a quiet spell keeps tests from clicking on the stale elements of the first run.
    """
    page.wait_for_timeout(300)
    for _ in range(20):
        page.wait_for_selector(IDLE, timeout=30_000)
        page.wait_for_timeout(settle_ms)
        if page.locator(IDLE).count() == 1:
            return


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    wait_idle(page)


def wait_for_session_cookie(page, *, timeout_ms: int = 15_000) -> None:
    """The sign-in cookie comes from the app's server in a frame loaded after the page renders: wait for it
    before a reload or a new URL, as a person would only do after seeing the page. It is HttpOnly, so the page's
    scripts cannot see it; the browser's cookie jar can."""
    for _ in range(timeout_ms // 100):
        if any(cookie["name"] == "nexus360_session" for cookie in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the sign-in cookie was not set")


def press(page, name: str) -> None:
    """Click the button labelled exactly `name` (an icon before the label is read out as its name)."""
    page.get_by_role("button", name=re.compile(rf"(^|\s){re.escape(name)}$")).click()
    wait_idle(page)


def unread_count(page) -> int:
    """The sidebar's unread count (0 when it shows none)."""
    link = page.get_by_text(re.compile(r"^[\d,]+ unread notifications?$"))
    return int(link.first.inner_text().split()[0].replace(",", "")) if link.count() else 0
