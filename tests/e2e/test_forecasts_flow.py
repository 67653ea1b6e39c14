"""Forecasts in a real browser: the rep submits this quarter's call with a note, the manager opens the rep's
forecast and adjusts the call with a note, and the rep sees the adjustment and the notification that says so.

The call and the adjustment commit for real on the shared test databases; the test removes them, their
snapshots and the notifications they caused when it ends.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select, text

from nexus360.common.periods import quarter_of, today_utc
from nexus360.db import Database, session_scope
from nexus360.notifications.models import Notification
from tests.e2e.browser import (
    DEMO_PASSWORD,
    press,
    screenshot,
    sign_in,
    unread_count,
    wait_for_session_cookie,
    wait_idle,
)

REP_ID, REP_NAME = 10, "Emily Chen"


def open_forecasts(page, app_url: str) -> None:
    page.goto(f"{app_url}/forecasts")
    wait_idle(page)


def test_the_rep_calls_the_manager_adjusts_and_the_rep_is_told(app_url: str, page, browser) -> None:
    quarter = quarter_of(today_utc())
    started = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        unread_before = session.scalar(select(func.count()).where(
            Notification.user_id == REP_ID, Notification.status == "unread"))
    try:
        sign_in(page, app_url, "rep", DEMO_PASSWORD)
        wait_for_session_cookie(page)
        open_forecasts(page, app_url)
        page.get_by_role("spinbutton", name="Amount ($)").fill("180000")
        page.get_by_role("textbox", name="Note").fill("Two renewals in legal; the rest is signed.")
        press(page, "Submit call")
        page.get_by_text(re.compile(r"call of \$180,000 is submitted")).wait_for()
        screenshot(page, "forecasts-rep-called")

        manager_context = browser.new_context(viewport={"width": 1440, "height": 900})
        manager = manager_context.new_page()
        sign_in(manager, app_url, "manager", DEMO_PASSWORD)
        open_forecasts(manager, app_url)
        manager.get_by_label("Forecast of", exact=True).click()
        manager.get_by_role("option", name=REP_NAME, exact=True).click()
        wait_idle(manager)
        manager.get_by_text("Two renewals in legal; the rest is signed.").wait_for()
        manager.get_by_role("spinbutton", name="Adjusted amount ($)").fill("150000")
        manager.get_by_role("textbox", name="Note *").fill("One renewal slips to next quarter.")
        press(manager, "Adjust call")
        manager.get_by_text(re.compile(r"call adjusted to \$150,000")).wait_for()
        assert manager.locator("[data-testid=stException]").count() == 0
        screenshot(manager, "forecasts-manager-adjusted")
        manager_context.close()

        open_forecasts(page, app_url)
        page.get_by_text("Adjusted by Elena Vasquez", exact=False).first.wait_for()
        page.get_by_text("One renewal slips to next quarter.").wait_for()
        wait_idle(page)
        expected = unread_before + 1  # the sidebar's badge counts the adjustment's notification
        page.get_by_text(re.compile(rf"^{expected} unread notifications?$")).first.wait_for()
        assert unread_count(page) == expected
        screenshot(page, "forecasts-rep-adjusted")
    finally:
        with session_scope(Database.FORECASTING, admin=True) as session:
            ids = {"start": quarter.start, "since": started, "owner": REP_ID}
            mine = ("SELECT id FROM forecast_snapshots WHERE period_start = :start AND scope = 'rep' "
                    "AND owner_id = :owner AND taken_at >= :since")
            session.execute(text("DELETE FROM forecast_factors WHERE forecast_id IN "
                                 f"(SELECT id FROM forecasts WHERE snapshot_id IN ({mine}))"), ids)
            session.execute(text(f"DELETE FROM forecasts WHERE snapshot_id IN ({mine})"), ids)
            session.execute(text(f"DELETE FROM forecast_snapshots WHERE id IN ({mine})"), ids)
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(text("DELETE FROM notifications WHERE type LIKE 'forecast%' AND created_at >= :since"),
                            {"since": started})
