"""Commissions in a real browser: the manager runs this quarter, submits it and approves one rep's statement;
the rep signs in and sees the approved statement and the notification that says so.

The run commits for real on the shared test databases, so the test removes the quarter's statements and
the notifications it caused when it ends.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from nexus360.common.periods import quarter_of, today_utc
from nexus360.compensation.models import SalesPerformance
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


def open_commissions(page, app_url: str) -> None:
    page.goto(f"{app_url}/commissions")
    wait_idle(page)


def test_manager_approves_a_statement_and_the_rep_sees_it(app_url: str, page, browser) -> None:
    quarter = quarter_of(today_utc())
    label = quarter.code
    started = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with session_scope(Database.COMPENSATION, admin=True) as session:
        assert not session.scalar(select(func.count()).where(SalesPerformance.period_start == quarter.start)), \
            "the demo data should leave the current quarter to be run"
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        unread_before = session.scalar(select(func.count()).where(
            Notification.user_id == REP_ID, Notification.status == "unread"))
    try:
        sign_in(page, app_url, "manager", DEMO_PASSWORD)
        wait_for_session_cookie(page)
        open_commissions(page, app_url)
        page.get_by_role("button", name=re.compile("Run a period")).click()
        page.get_by_role("textbox", name="Month or quarter").fill(label)
        press(page, "Run period")
        page.get_by_text(re.compile(f"^{label} computed: ")).wait_for()
        # Issue 13, item 3: the submit after a success is not swallowed (the popover stays, with its message).
        for typed, says in (("abc", "Period 'abc' is not valid"), ("2099-Q1", "2099-Q1 has not started yet")):
            box = page.get_by_role("textbox", name="Month or quarter")
            if not box.is_visible():
                page.get_by_role("button", name=re.compile("Run a period")).click()
            box.fill(typed)
            press(page, "Run period")
            page.get_by_text(says).wait_for(timeout=10_000)
        page.keyboard.press("Escape")
        wait_idle(page)
        press(page, "Submit for approval…")
        press(page, "Submit")
        page.get_by_text(re.compile(r"statements of .* are awaiting approval")).wait_for()
        page.get_by_label("Rep", exact=True).first.click()
        page.keyboard.type(REP_NAME)
        page.keyboard.press("Enter")
        wait_idle(page)
        press(page, "Approve…")
        press(page, "Approve")
        page.get_by_text(f"{REP_NAME}'s {label} statement is approved").wait_for()
        screenshot(page, "commissions-manager-approved")
        # Issue 13, item 2: the period picker shows the plain period; its summary agrees with the tile.
        assert page.get_by_role("combobox", name="Period", exact=True).input_value() == label
        waiting = page.locator("[data-testid=stMetric]", has_text="Awaiting approval") \
            .locator("[data-testid=stMetricValue]").inner_text()
        page.get_by_text(re.compile(rf"^\d+ statements: {waiting} awaiting approval, 1 approved\.$")).wait_for()

        rep_context = browser.new_context(viewport={"width": 1440, "height": 900})
        rep = rep_context.new_page()
        sign_in(rep, app_url, "rep", DEMO_PASSWORD)
        open_commissions(rep, app_url)
        assert unread_count(rep) == unread_before + 1
        # The newest period is shown first, with its status and total.
        rep.get_by_text(re.compile(rf"{label} \(.*\).*Approved · commission \$")).first.wait_for()
        rep.get_by_text(re.compile(r"lines? adds? up to")).first.wait_for()
        assert rep.locator("[data-testid=stException]").count() == 0
        screenshot(rep, "commissions-rep-approved")
        rep_context.close()
    finally:
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.execute(delete(SalesPerformance).where(
                SalesPerformance.period_start == quarter.start, SalesPerformance.period_end == quarter.end))
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(delete(Notification).where(
                Notification.type.like("statement%"), Notification.created_at >= started))
