"""The inbox: views and filters, keyset pages, read/unread, archive, snooze, and a badge that always equals
the unread rows it shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from nexus360.common.errors import ValidationError
from nexus360.db import Database
from nexus360.db.engine import set_actor
from nexus360.notifications import service
from nexus360.notifications.schemas import InboxFilters
from tests.crm.conftest import principal
from tests.notifications.conftest import MANAGER_ID, REP_ID

REP, MANAGER = principal(REP_ID, "sales_rep"), principal(MANAGER_ID, "sales_manager")


@pytest.fixture
def inbox(db):
    """The rep's session with five fresh notifications (three deal_won, two deal_lost), newest last."""
    session = db(Database.NOTIFICATIONS)
    for number in range(5):
        service.notify_event(session, MANAGER, type="deal_won" if number < 3 else "deal_lost", recipients=[REP_ID],
                             data={"deal": {"id": 900 + number, "title": f"Inbox deal {number}"}},
                             key=f"test17:inbox:{number}")
    set_actor(session, REP)
    items = [item for item in service.list_inbox(session, REP, limit=100).items if item.title.endswith(
        tuple(f"Inbox deal {n}" for n in range(5)))]
    return session, {item.title.rsplit(" ", 1)[-1]: item.id for item in items}


def unread(session) -> int:
    return service.count_unread(session, REP)


def test_the_badge_equals_the_unread_view(inbox) -> None:
    session, _ids = inbox
    shown, before = 0, None
    while True:
        page = service.list_inbox(session, REP, filters=InboxFilters(view="unread"), before=before, limit=100)
        shown += len(page.items)
        if page.next_before is None:
            break
        before = page.next_before
    assert unread(session) == shown


def test_pages_follow_each_other_newest_first_without_gaps(inbox) -> None:
    session, ids = inbox
    first = service.list_inbox(session, REP, limit=2)
    second = service.list_inbox(session, REP, limit=2, before=first.next_before)
    assert [item.id for item in first.items] == [ids["4"], ids["3"]]
    assert [item.id for item in second.items] == [ids["2"], ids["1"]]


def test_read_unread_and_mark_all(inbox) -> None:
    session, ids = inbox
    badge = unread(session)
    assert service.mark_read(session, REP, notification_ids=[ids["0"], ids["1"]]) == 2
    assert unread(session) == badge - 2
    assert service.mark_read(session, REP, notification_ids=[ids["0"]]) == 0  # already read
    assert service.mark_unread(session, REP, notification_ids=[ids["0"]]) == 1
    assert unread(session) == badge - 1
    service.mark_read(session, REP)
    assert unread(session) == 0


def test_filters_by_type_and_date(inbox) -> None:
    session, ids = inbox
    lost = service.list_inbox(session, REP, filters=InboxFilters(type="deal_lost"), limit=100).items
    assert {ids["3"], ids["4"]} <= {item.id for item in lost} and all(item.type == "deal_lost" for item in lost)
    today = datetime.now(UTC).date()
    tomorrow = today + timedelta(days=1)
    assert service.list_inbox(session, REP, filters=InboxFilters(since=tomorrow)).items == []
    for zone in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"):  # +14 h and -11 h: today is not UTC's today
        local_today = datetime.now(ZoneInfo(zone)).date()
        shown = service.list_inbox(session, REP, filters=InboxFilters(since=local_today, until=local_today,
                                                                        timezone=zone), limit=100)
        assert set(ids.values()) <= {item.id for item in shown.items}, zone
    with pytest.raises(ValidationError, match="Date: the first day"):
        service.list_inbox(session, REP, filters=InboxFilters(since=tomorrow, until=today))
    assert "deal_lost" in {choice.type for choice in service.list_types(session, REP)}


def test_archive_moves_out_of_the_inbox_and_restore_brings_it_back_read(inbox) -> None:
    session, ids = inbox
    badge = unread(session)
    assert service.archive(session, REP, notification_ids=[ids["4"]]) == 1
    assert unread(session) == badge - 1
    assert ids["4"] not in {item.id for item in service.list_inbox(session, REP, limit=100).items}
    archived = service.list_inbox(session, REP, filters=InboxFilters(view="archived"), limit=100).items
    assert archived[0].id == ids["4"] and archived[0].archived_at is not None
    assert service.restore(session, REP, notification_ids=[ids["4"]]) == 1
    back = service.list_inbox(session, REP, limit=1).items[0]
    assert (back.id, back.status) == (ids["4"], "read")


def test_a_snoozed_notification_leaves_the_inbox_and_badge_until_its_time(inbox) -> None:
    session, ids = inbox
    badge = unread(session)
    until = datetime.now(UTC) + timedelta(hours=2)
    assert service.snooze(session, REP, notification_ids=[ids["2"]], until=until) == 1
    assert unread(session) == badge - 1
    assert ids["2"] not in {item.id for item in service.list_inbox(session, REP, limit=100).items}
    snoozed = service.list_inbox(session, REP, filters=InboxFilters(view="snoozed")).items
    assert [item.id for item in snoozed] == [ids["2"]]
    session.execute(text(
        "UPDATE notifications SET snoozed_until = timezone('utc', now()) - interval '1 minute' WHERE id = :id"),
        {"id": ids["2"]})  # time passes
    assert unread(session) == badge
    assert service.list_inbox(session, REP, filters=InboxFilters(view="unread"), limit=100).items[2].id == ids["2"]


@pytest.mark.parametrize(("until", "message"), [
    (datetime.now(UTC) - timedelta(minutes=1), "in the future"),
    (datetime.now(UTC) + timedelta(days=400), "within a year"),
])
def test_a_snooze_must_end_in_the_next_year(inbox, until, message) -> None:
    session, ids = inbox
    with pytest.raises(ValidationError, match=f"Snooze until: choose a moment {message}"):
        service.snooze(session, REP, notification_ids=[ids["1"]], until=until)


def test_opening_marks_read_and_gives_the_link(inbox) -> None:
    session, ids = inbox
    opened = service.open_notification(session, REP, notification_id=ids["3"])
    assert (opened.status, opened.link) == ("read", "/crm?crm_tab=Deals&deal=903")


def test_nobody_changes_someone_elses_notifications(inbox) -> None:
    session, ids = inbox
    set_actor(session, MANAGER)
    assert service.mark_read(session, MANAGER, notification_ids=list(ids.values())) == 0
    assert service.archive(session, MANAGER, notification_ids=list(ids.values())) == 0
    set_actor(session, REP)
    assert all(item.status == "unread" for item in service.list_inbox(session, REP, limit=5).items)
