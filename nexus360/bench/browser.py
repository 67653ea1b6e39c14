"""`python -m nexus360 bench browser --url URL`: how long a person waits, measured in Chromium.

For one demo user, each page the user may open is loaded once (warm), then timed `runs` times from
navigation to the moment the page is drawn and Streamlit is idle (the script finished and no element is
still a placeholder). The floor is a page that computes nothing: a page the user may not open (the
router, the sign-in check and the sidebar run; the page body is one refusal sentence). For a manager, the
CRM dashboard's period change is timed too (from the choice to the new figures drawn and idle).
Needs a running app (`make run`) and Chromium (`scripts/ensure-chromium`).
"""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from typing import Any

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
DRAWN = ("() => !document.querySelector('[data-testid=stSkeleton]')"
         " && !!document.querySelector('[data-testid=stMain] h1')")
PASSWORD = "nexus360-demo"
# A page each role may not open: its refusal is the floor (nothing computed beyond the router and sidebar).
FLOOR = {"manager": "admin", "rep": "admin", "marketer": "commissions", "admin": "commissions"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def _settled(page) -> None:
    page.wait_for_selector(IDLE, timeout=180_000)
    page.wait_for_function(DRAWN, timeout=180_000)
    page.wait_for_timeout(400)
    page.wait_for_selector(IDLE, timeout=180_000)


def _timed(action: Callable[[], None], page) -> float:
    started = time.perf_counter()
    action()
    page.wait_for_function(DRAWN, timeout=180_000)
    page.wait_for_selector(IDLE, timeout=180_000)
    return time.perf_counter() - started


def _figures(seconds: list[float]) -> dict[str, Any]:
    return {"median_s": round(statistics.median(seconds), 2), "max_s": round(max(seconds), 2),
            "runs": [round(value, 2) for value in seconds]}


def bench_browser(*, url: str, user: str, runs: int, pages: tuple[str, ...]) -> dict[str, Any]:
    """Seconds from navigation to a drawn, idle page: the floor, every page in `pages`, and for a manager the
    CRM dashboard's period change."""
    from playwright.sync_api import sync_playwright

    url = url.rstrip("/")
    report: dict[str, Any] = {"user": user, "runs": runs, "unit": "seconds until the page is drawn and idle"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url)
        page.wait_for_selector(IDLE, timeout=180_000)
        page.get_by_label("Username").fill(user)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_function("() => !document.querySelector('input[type=password]')", timeout=180_000)
        _settled(page)
        for name in (f"floor ({FLOOR[user]}, refused)", *pages):
            path = FLOOR[user] if name.startswith("floor") else ("" if name == "home" else name)

            def open_page(path: str = path) -> None:
                page.goto(f"{url}/{path}", wait_until="commit")

            open_page()
            _settled(page)  # warm: caches filled, as for a person who opened it before
            report[name] = _figures([_timed(open_page, page) for _ in range(runs)])
        if user == "manager" and "crm" in pages:
            report["crm: change the dashboard's period"] = _figures(_period_changes(page, url, runs))
        browser.close()
    return report


def _period_changes(page, url: str, runs: int) -> list[float]:
    page.goto(f"{url}/crm")
    _settled(page)
    seconds = []
    for index in range(runs + 2):  # the first two fill both periods' caches
        option = "Last quarter" if index % 2 == 0 else "This quarter"
        before = page.locator("[data-testid=stMetricValue]").nth(2).inner_text()

        def choose(option: str = option, before: str = before) -> None:
            page.get_by_label("Period").first.click()
            page.get_by_role("option", name=option, exact=True).click()
            page.wait_for_function("old => document.querySelectorAll('[data-testid=stMetricValue]')[2]"
                                   "?.innerText !== old", arg=before, timeout=180_000)

        taken = _timed(choose, page)
        if index >= 2:
            seconds.append(taken)
        page.wait_for_timeout(500)
    return seconds
