"""Notifications page under AppTest: the user's own notifications, marked read from the page."""

from __future__ import annotations

import pytest

from nexus360.db import Database, session_scope
from nexus360.notifications import service
from nexus360.notifications.models import Notification
from tests.pages.apptest import open_as, principal_for


@pytest.mark.usefixtures("seeded")
def test_rep_reads_and_marks_a_notification() -> None:
    rep = principal_for("rep")
    with session_scope(Database.NOTIFICATIONS, actor=rep) as session:
        service.notify(session, user_id=rep.id, type="commission", title="<b>Statement</b> =1+1",
                       message="Your statement was approved.")
    try:
        app = open_as("rep", "notifications")
        assert not app.exception
        assert app.title[0].value == "Notifications"
        assert any("\\<b\\>Statement\\</b\\>" in item.value for item in app.markdown), "title shown escaped"
        before = _unread(rep)
        next(button for button in app.button if button.label == "Mark read").click().run()
        assert not app.exception
        assert _unread(rep) == before - 1
        next(button for button in app.button if button.label == "Mark all as read").click().run()
        assert _unread(rep) == 0
        assert any("all caught up" in caption.value for caption in app.caption)
    finally:
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(Notification.__table__.delete().where(
                Notification.title == "<b>Statement</b> =1+1"))


def _unread(principal) -> int:
    with session_scope(Database.NOTIFICATIONS, actor=principal) as session:
        return service.count_unread(session, principal)
