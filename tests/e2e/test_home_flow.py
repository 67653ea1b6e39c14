"""A manager signs in through the real sign-in form and sees the Home dashboard."""

from __future__ import annotations

from tests.e2e.browser import DEMO_PASSWORD, screenshot, sign_in, wait_idle


def test_manager_signs_in_and_sees_kpis_and_both_charts(app_url: str, page) -> None:
    sign_in(page, app_url, "manager", DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=stPlotlyChart] .js-plotly-plot", timeout=30_000)
    wait_idle(page)
    metrics = page.locator("[data-testid=stMetric]")
    assert metrics.count() == 5
    assert "Open pipeline" in metrics.nth(0).inner_text()
    assert page.locator("[data-testid=stPlotlyChart]").count() == 2
    assert page.get_by_text("Won revenue by month").is_visible()
    assert page.get_by_text("Open pipeline by stage").is_visible()
    screenshot(page, "home-manager")


def test_wrong_password_is_refused_with_a_clear_message(app_url: str, page) -> None:
    sign_in(page, app_url, "manager", "not-the-password")
    assert page.get_by_text("Wrong username or password.").is_visible()
    assert page.locator("[data-testid=stMetric]").count() == 0
