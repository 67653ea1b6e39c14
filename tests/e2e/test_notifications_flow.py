"""Notifications in a real browser: a manager approves a rep's statement; the rep sees the badge go up,
opens the Notifications page from it, opens the notification, and lands on the statement it is about.

The quarter is run and submitted through the flows first (the Commissions browser test covers doing that
on the page); everything it writes is removed when the test ends.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import delete, select

from nexus360.auth import service as auth_service
from nexus360.common.periods import quarter_of, today_utc
from nexus360.compensation import flows
from nexus360.compensation.models import SalesPerformance
from nexus360.db import Database, session_scope
from nexus360.notifications.models import Notification, NotificationDelivery
from tests.e2e.browser import DEMO_PASSWORD, screenshot, sign_in, wait_for_session_cookie, wait_idle
from tests.e2e.test_commissions_flow import REP_ID, REP_NAME, press, unread_count


def test_the_rep_follows_the_approval_notification_to_the_statement(app_url: str, page, browser) -> None:
    quarter = quarter_of(today_utc())
    started = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with session_scope(Database.AUTH) as auth:
        manager = auth_service.get_principal_by_username(auth, "manager")
    flows.run_commissions(manager, period=quarter.code)
    flows.submit_for_approval(manager, period_start=quarter.start, period_end=quarter.end)
    rep_context = browser.new_context(viewport={"width": 1440, "height": 900})
    rep = rep_context.new_page()
    rep.set_default_timeout(30_000)
    try:
        sign_in(rep, app_url, "rep", DEMO_PASSWORD)
        wait_for_session_cookie(rep)
        before = unread_count(rep)

        sign_in(page, app_url, "manager", DEMO_PASSWORD)
        wait_for_session_cookie(page)
        page.goto(f"{app_url}/commissions")
        wait_idle(page)
        page.get_by_label("Rep", exact=True).first.click()
        page.keyboard.type(REP_NAME)
        page.keyboard.press("Enter")
        wait_idle(page)
        press(page, "Approve…")
        press(page, "Approve")
        page.get_by_text(f"{REP_NAME}'s {quarter.code} statement is approved").wait_for()

        rep.goto(app_url)
        wait_idle(rep)
        assert unread_count(rep) == before + 1, "the badge counts the new notification"
        rep.get_by_text(re.compile(r"^[\d,]+ unread notifications?$")).first.click()
        wait_idle(rep)
        title = f"Your {quarter.label} commission statement is approved"
        rep.get_by_text(title).first.wait_for()
        open_button = rep.get_by_role("button", name=re.compile(r"Open$"))
        # the card: the innermost block holding both the title and an Open button
        card = rep.locator("[data-testid=stVerticalBlock]").filter(has_text=title).filter(has=open_button).last
        assert "You got this because this is your commission statement." in card.inner_text()
        screenshot(rep, "notifications-rep-inbox")
        card.get_by_role("button", name=re.compile(r"Open$")).click()
        wait_idle(rep)
        rep.wait_for_url(re.compile(r"/commissions\?"))
        assert f"period={quarter.code}" in rep.url
        rep.get_by_text(re.compile(rf"{quarter.code} \(.*\).*Approved · commission \$")).first.wait_for()
        assert rep.locator("[data-testid=stException]").count() == 0
        screenshot(rep, "notifications-rep-landed-on-statement")
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            status = session.scalar(select(Notification.status).where(
                Notification.user_id == REP_ID, Notification.type == "statement_approved",
                Notification.created_at >= started))
        assert status == "read", "opening it marked it read"
    finally:
        rep_context.close()
        with session_scope(Database.COMPENSATION, admin=True) as session:
            session.execute(delete(SalesPerformance).where(
                SalesPerformance.period_start == quarter.start, SalesPerformance.period_end == quarter.end))
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(delete(NotificationDelivery).where(NotificationDelivery.created_at >= started))
            session.execute(delete(Notification).where(Notification.type.like("statement%"),
                                                       Notification.created_at >= started))
