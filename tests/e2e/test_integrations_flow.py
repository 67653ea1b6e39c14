"""Integrations in a real browser: an admin adds a webhook, wins a deal, and sees the signed delivery arrive at
the receiver (verified with the official Standard Webhooks package) and its row in the run log."""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from nexus360.config import get_settings
from nexus360.worker.runner import Worker
from tests.e2e.browser import DEMO_PASSWORD, screenshot, sign_in, wait_idle
from tests.integrations.conftest import drain
from tests.support.webhook_receiver import WebhookReceiver


def open_page(page, title: str) -> None:
    """Through the sidebar, as a person does (a fresh URL would wait for the sign-in cookie)."""
    page.locator("[data-testid=stSidebarNavLink]", has_text=title).first.click()
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    wait_idle(page)


def signed_in(page, url: str, username: str) -> None:
    """Sign in; once more if a late rerun of the sign-in form (the cookie component's) swallowed what was typed."""
    for _ in range(3):
        sign_in(page, url, username, DEMO_PASSWORD)
        try:
            page.locator("[data-testid=stSidebarNavLink]").first.wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("could not sign in")


def test_add_a_webhook_win_a_deal_and_see_the_signed_delivery(app_url: str, page) -> None:
    drain()
    with WebhookReceiver() as receiver:
        signed_in(page, app_url, "admin")
        open_page(page, "Integrations")
        page.get_by_text("Add a connector").click()
        page.get_by_label("Type").click()
        page.get_by_role("option", name="Outgoing webhook").click()
        wait_idle(page)
        page.get_by_label("Name").fill("Browser flow hook")
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("Events to send").click()
        page.keyboard.type("Deal won")
        page.get_by_role("option", name="Deal won").click()
        page.keyboard.press("Escape")
        page.get_by_text("Allow private and loopback addresses").click()
        page.get_by_role("button", name="Add connector").click()
        wait_idle(page)
        secret = page.locator("[data-testid=stCode]").first.inner_text().strip()
        assert secret.startswith("whsec_")
        receiver.secret = secret
        screenshot(page, "integrations-webhook-added")

        open_page(page, "CRM")  # win the first deal of the pipeline board
        page.get_by_role("tab", name="Pipeline").click()
        wait_idle(page)
        page.get_by_role("button", name="Move to").first.click()
        page.get_by_role("menuitem", name="Closed Won", exact=True).click()
        wait_idle(page)

        summary = Worker(get_settings(), name="e2e").run_once()  # what `make run`'s worker does within seconds
        assert summary.outcomes["delivered"] == 1, summary.as_dict()
        [delivery] = receiver.requests
        assert delivery.verified, delivery.error
        assert delivery.json["type"] == "deal.won"

        open_page(page, "Integrations")
        page.get_by_role("tab", name="Run log").click()
        wait_idle(page)
        grid = page.locator("[data-testid=stDataFrame]").first
        # the grid draws on a canvas but keeps a hidden, accessible copy of its cells in the DOM
        grid.get_by_text("Browser flow hook").first.wait_for(state="attached")
        grid.click(position={"x": 16, "y": 56})  # the newest row: this delivery
        wait_idle(page)
        page.get_by_text(f"webhook-id {delivery.message_id}").wait_for()
        assert page.get_by_text(re.compile(r"attempt 1 · HTTP 200")).count() == 1
        screenshot(page, "integrations-run-log")
        drain()
