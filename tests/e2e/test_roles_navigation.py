"""Each demo role signs in and sees exactly the pages DESIGN.md grants it; other pages refuse by URL."""

from __future__ import annotations

import pytest

from tests.e2e.browser import DEMO_PASSWORD, screenshot, sign_in, wait_for_session_cookie, wait_idle

EVERYONE = ["Home", "CRM", "Campaigns & Leads", "Notifications", "Assistant"]
EXPECTED = {  # from the role × permission table of DESIGN.md
    "admin": EVERYONE[:3] + ["Commissions", "Forecasts"] + EVERYONE[3:] + ["Admin", "Integrations"],
    "manager": EVERYONE[:3] + ["Commissions", "Forecasts"] + EVERYONE[3:],
    "rep": EVERYONE[:3] + ["Commissions", "Forecasts"] + EVERYONE[3:],
    "marketer": EVERYONE,
}


def nav_titles(page) -> list[str]:
    return [link.inner_text().strip().splitlines()[-1] for link in page.locator("[data-testid=stSidebarNavLink]").all()]


@pytest.mark.parametrize("username", list(EXPECTED))
def test_role_sees_exactly_its_pages(app_url: str, page, username: str) -> None:
    sign_in(page, app_url, username, DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=stSidebarNavLink]")
    assert nav_titles(page) == EXPECTED[username]


@pytest.mark.parametrize(("username", "path"), [("rep", "admin"), ("marketer", "commissions"), ("rep", "integrations")])
def test_page_opened_by_url_without_permission_shows_a_refusal_not_data(app_url: str, page, username, path) -> None:
    sign_in(page, app_url, username, DEMO_PASSWORD)
    wait_for_session_cookie(page)
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    page.wait_for_selector("text=You do not have access to this page")
    assert page.locator("[data-testid=stDataFrame]").count() == 0
    assert page.locator("[data-testid=stMetric]").count() == 0
    screenshot(page, f"refused-{username}-{path}")


def test_sign_out_returns_to_the_sign_in_page_and_a_reload_stays_signed_out(app_url: str, page) -> None:
    sign_in(page, app_url, "manager", DEMO_PASSWORD)
    wait_for_session_cookie(page)
    page.get_by_role("button", name="Sign out").click()
    wait_idle(page)
    assert page.get_by_role("button", name="Sign in", exact=True).is_visible()
    page.reload()
    wait_idle(page)
    assert page.get_by_role("button", name="Sign in", exact=True).is_visible()
    assert page.locator("[data-testid=stMetric]").count() == 0


def test_reload_keeps_a_local_user_signed_in(app_url: str, page) -> None:
    sign_in(page, app_url, "manager", DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=stMetric]")
    wait_for_session_cookie(page)
    page.reload()
    wait_idle(page)
    page.wait_for_selector("[data-testid=stMetric]", timeout=30_000)
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_signed_out_visitor_sees_no_page_list_and_lands_where_they_asked_after_sign_in(app_url: str, page) -> None:
    page.goto(f"{app_url}/crm")
    wait_idle(page)
    assert page.get_by_role("button", name="Sign in", exact=True).is_visible()
    assert page.locator("[data-testid=stSidebarNavLink]").count() == 0
    page.get_by_label("Username").fill("manager")
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    wait_idle(page)
    page.wait_for_selector("h1:has-text('CRM')")
    assert page.url.endswith("/crm")
