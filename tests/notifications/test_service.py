"""Notifications: anyone may notify anyone, but each user reads and marks only their own."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from nexus360.common.errors import ValidationError
from nexus360.db import Database
from nexus360.db.engine import set_actor
from nexus360.notifications import service
from tests.crm.conftest import MANAGER_ID, REP_ID, principal

pytestmark = pytest.mark.usefixtures("seeded")


def test_a_manager_notifies_a_rep_who_alone_reads_it(db) -> None:
    session = db(Database.NOTIFICATIONS)
    manager, rep = principal(MANAGER_ID, "sales_manager"), principal(REP_ID, "sales_rep")
    set_actor(session, manager)
    service.notify(session, user_id=REP_ID, type="commission", title="Q3 approved", message="Your Q3 statement ...")
    assert all(item.title != "Q3 approved" for item in service.list_notifications(session, manager))
    assert session.execute(text("SELECT count(*) FROM notifications WHERE user_id = :u"), {"u": REP_ID}).scalar() == 0

    set_actor(session, rep)
    before = service.count_unread(session, rep)
    newest = service.list_notifications(session, rep, limit=1)[0]
    assert (newest.title, newest.status) == ("Q3 approved", "unread")
    assert service.mark_read(session, rep, notification_ids=[newest.id]) == 1
    assert service.count_unread(session, rep) == before - 1
    assert service.list_notifications(session, rep, limit=1)[0].read_at is not None


def test_marking_read_never_touches_someone_elses_notifications(db) -> None:
    session = db(Database.NOTIFICATIONS)
    manager, rep = principal(MANAGER_ID, "sales_manager"), principal(REP_ID, "sales_rep")
    set_actor(session, rep)
    theirs = [item.id for item in service.list_notifications(session, rep, unread_only=True)]
    set_actor(session, manager)
    assert service.mark_read(session, manager, notification_ids=theirs) == 0
    set_actor(session, rep)
    assert [item.id for item in service.list_notifications(session, rep, unread_only=True)] == theirs


def test_mark_all_read_and_paging(db) -> None:
    session = db(Database.NOTIFICATIONS)
    rep = principal(REP_ID, "sales_rep")
    set_actor(session, rep)
    for number in range(3):
        service.notify(session, user_id=REP_ID, type="system", title=f"Note {number}", message="Hello")
    first = service.list_notifications(session, rep, limit=2)
    assert [item.title for item in first] == ["Note 2", "Note 1"]
    rest = service.list_notifications(session, rep, before_id=first[-1].id, limit=1)
    assert [item.title for item in rest] == ["Note 0"]
    service.mark_read(session, rep)
    assert service.count_unread(session, rep) == 0


def test_a_notification_needs_a_title_and_a_message(db) -> None:
    session = db(Database.NOTIFICATIONS)
    with pytest.raises(ValidationError, match="title and a message"):
        service.notify(session, user_id=REP_ID, type="system", title="  ", message="x")
