"""E-mail through a real SMTP server on 127.0.0.1 (aiosmtpd): immediate messages as people chose them, held
through quiet hours, daily digests (N events, one e-mail), two senders at once, TLS and login, failures,
the integration log, and retention."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import text

from nexus360.db import Database, session_scope
from nexus360.notifications import flows, service
from nexus360.notifications.delivery.schemas import SendRecord
from nexus360.notifications.preferences import service as preferences
from nexus360.notifications.preferences.schemas import ChannelChoice, DeliverySettings
from nexus360.notifications.schemas import DELIVERY
from tests.notifications.conftest import MANAGER_ID, OTHER_REP_ID, REP_ID, at, person
from tests.support.smtp_standin import SmtpStandIn

pytestmark = [pytest.mark.usefixtures("committed"),
              # aiosmtpd's warning for AUTH in implicit-TLS mode, where the whole connection is TLS
              pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")]
NOW = at("2031-03-28 12:00")  # 13:00 in Berlin
DEAL = {"id": 2006, "title": "Acme renewal", "company": "Acme GmbH", "amount": "$48,500", "stage": "Proposal",
        "close_date": "30 Sep 2031"}
DEFAULTS = DeliverySettings()


@pytest.fixture(scope="module")
def people(seeded) -> dict:
    return {user_id: person(user_id) for user_id in (REP_ID, OTHER_REP_ID, MANAGER_ID)}


@pytest.fixture
def smtp():
    with SmtpStandIn() as server:
        yield server


def tell(type: str, user_id: int, key: str, *, when: datetime = NOW, **deal: object) -> None:
    """One committed event, as a flow would write it, acting as the manager."""
    with session_scope(Database.NOTIFICATIONS, actor=person(MANAGER_ID)) as notes:
        service.notify_event(notes, person(MANAGER_ID), type=type, recipients=[user_id], now=when,
                             data={"deal": {**DEAL, **deal}}, key=f"test17:{key}")


def send(server: SmtpStandIn, now: datetime = NOW, records: list | None = None, **options):
    log = records.append if records is not None else (lambda record: None)
    return flows.send_due(log_send=log, settings=server.settings(), now=now, **options)


def choose(user_id: int, *, settings: DeliverySettings = DEFAULTS, now: datetime = NOW,
           **channels: tuple[bool, bool]) -> None:
    with session_scope(Database.NOTIFICATIONS, actor=person(user_id)) as session:
        preferences.save_preferences(session, person(user_id), settings=settings, now=now, choices=[
            ChannelChoice(type=type, in_app=in_app, email=email) for type, (in_app, email) in channels.items()])


# --- immediate ---------------------------------------------------------------------------------------------


def test_a_chosen_type_is_e_mailed_once_as_text_and_html_with_data_escaped(smtp, people) -> None:
    tell("deal_assigned", REP_ID, "mail", title='<img src=x onerror="alert(1)"> & Co')
    records: list[SendRecord] = []
    report = send(smtp, records=records)
    assert (report.sent, report.failed, report.problem) == (1, 0, None)
    [message] = smtp.messages
    assert message["To"].addresses[0].addr_spec == people[REP_ID].email
    assert message["Subject"] == 'New deal for you: <img src=x onerror="alert(1)"> & Co'
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert '<img src=x onerror="alert(1)"> & Co with Acme GmbH.' in plain
    assert "Open it in Nexus360: https://nexus360.test/crm?crm_tab=Deals&deal=2006" in plain
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; Co" in html and "<img" not in html
    assert 'href="https://nexus360.test/crm?crm_tab=Deals&amp;deal=2006"' in html
    assert "You get this because you own this deal now" in plain
    assert [(record.kind, record.user_id, record.type, record.status) for record in records] == [
        ("immediate", REP_ID, "deal_assigned", "sent")]
    assert send(smtp).sent == 0 and len(smtp.messages) == 1, "sent once"


def test_types_without_e_mail_are_not_sent_and_leave_the_outbox(smtp) -> None:
    tell("deal_won", REP_ID, "won")  # e-mail off by default
    choose(OTHER_REP_ID, deal_assigned=(True, False))
    tell("deal_assigned", OTHER_REP_ID, "declined")
    report = send(smtp)
    assert (report.sent, report.skipped, smtp.messages) == (0, 2, [])
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        assert session.scalar(text("SELECT count(*) FROM notification_deliveries WHERE kind = 'immediate'")) == 0


def test_quiet_hours_hold_an_e_mail_until_they_end_in_the_persons_zone(smtp) -> None:
    berlin_nights = DeliverySettings(timezone="Europe/Berlin", quiet_start=time(22), quiet_end=time(7))
    choose(REP_ID, settings=berlin_nights)
    night = at("2031-03-29 22:30")  # 23:30 CET; the clocks jump to summer time at 02:00: 07:00 CEST is 05:00 UTC
    tell("deal_assigned", REP_ID, "quiet", when=night)
    assert send(smtp, now=night).held == 1 and smtp.messages == []
    assert send(smtp, now=at("2031-03-30 04:59")).sent == 0  # 06:59 CEST
    assert send(smtp, now=at("2031-03-30 05:00")).sent == 1  # 07:00 CEST
    assert len(smtp.messages) == 1


def test_a_critical_message_is_not_held_by_quiet_hours(smtp) -> None:
    choose(REP_ID, settings=DeliverySettings(timezone="America/New_York", quiet_start=time(21), quiet_end=time(8)))
    night = at("2031-03-09 07:30")  # 03:30 EDT, the night New York springs forward
    with session_scope(Database.NOTIFICATIONS, actor=person(MANAGER_ID)) as notes:
        service.notify_event(notes, person(MANAGER_ID), type="statement_sent_back", recipients=[REP_ID], now=night,
                             data={"period": {"code": "2031-Q1", "label": "Q1 2031"}, "comment": "Check Acme"},
                             key="test17:critical")
    assert send(smtp, now=night).sent == 1
    assert smtp.messages[0]["Subject"] == "Your Q1 2031 commission statement was sent back"


def test_two_senders_at_once_send_every_e_mail_exactly_once(smtp) -> None:
    for number in range(24):
        tell("deal_assigned", (REP_ID, OTHER_REP_ID)[number % 2], f"race:{number}", title=f"Race {number}")
    reports = []
    senders = [threading.Thread(target=lambda: reports.append(send(smtp, batch=3))) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    subjects = [message["Subject"] for message in smtp.messages]
    assert sorted(subjects) == sorted(f"New deal for you: Race {number}" for number in range(24))
    assert sum(report.sent for report in reports) == 24


# --- digests -----------------------------------------------------------------------------------------------


def test_a_digest_batches_the_windows_unread_notifications_into_exactly_one_e_mail(smtp) -> None:
    choose(REP_ID, settings=DeliverySettings(timezone="Europe/Berlin", digest_hour=8), now=at("2031-03-27 08:00"),
           deal_won=(True, False))
    # due at 08:00 CET on 28 Mar = 07:00 UTC; the first window is the day before it
    for number in range(5):
        tell("deal_won", REP_ID, f"digest:{number}", when=at("2031-03-27 12:00") + timedelta(hours=number),
             title=f"Digest {number}")
    tell("deal_won", REP_ID, "digest:after", when=at("2031-03-28 07:30"), title="Digest later")
    assert send(smtp, now=at("2031-03-28 06:59")).digests == 0
    report = send(smtp, now=at("2031-03-28 07:45"))
    assert (report.digests, report.digest_items) == (1, 5)
    [digest] = smtp.messages
    assert digest["Subject"] == "Your Nexus360 digest: 5 unread notifications"
    plain = digest.get_body(("plain",)).get_content()
    assert all(f"Won: Digest {number}" in plain for number in range(5)) and "Digest later" not in plain
    assert "28 Mar, 00:00 CET" in plain or "27 Mar, 13:00 CET" in plain
    assert send(smtp, now=at("2031-03-28 07:50")).digests == 0, "one e-mail per window"
    assert send(smtp, now=at("2031-03-29 06:59")).digests == 0
    report = send(smtp, now=at("2031-03-29 07:00"))  # 08:00 CET the next day: the later one only
    assert (report.digests, report.digest_items) == (1, 1)
    assert "Digest later" in smtp.messages[-1].get_body(("plain",)).get_content()


def test_what_was_read_in_the_app_stays_out_of_the_digest(smtp) -> None:
    choose(OTHER_REP_ID, settings=DeliverySettings(digest_hour=9), now=at("2031-03-27 09:00"), deal_won=(True, False))
    tell("deal_won", OTHER_REP_ID, "read:1", when=at("2031-03-27 10:00"), title="Seen")
    tell("deal_won", OTHER_REP_ID, "read:2", when=at("2031-03-27 11:00"), title="Unseen")
    reader = person(OTHER_REP_ID)
    with session_scope(Database.NOTIFICATIONS, actor=reader) as session:
        seen = next(item for item in service.list_inbox(session, reader).items if item.title == "Won: Seen")
        service.mark_read(session, reader, notification_ids=[seen.id])
    assert send(smtp, now=at("2031-03-28 09:00")).digest_items == 1
    assert "Won: Seen" not in smtp.messages[0].get_body(("plain",)).get_content()


def test_no_unread_no_digest(smtp) -> None:
    choose(REP_ID, settings=DeliverySettings(digest_hour=9), now=at("2031-03-27 09:00"))
    assert send(smtp, now=at("2031-03-28 09:00")).digests == 0 and smtp.messages == []


# --- the server --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(security: str) -> None:
    with SmtpStandIn(security=security, user="mailer", password="s3cret!") as server:
        tell("deal_assigned", REP_ID, f"tls:{security}")
        assert send(server).sent == 1 and len(server.messages) == 1


def test_a_refused_login_is_retried_later_and_logged_without_the_password() -> None:
    with SmtpStandIn(security="starttls", user="mailer", password="right") as server:
        tell("deal_assigned", REP_ID, "login")
        records: list[SendRecord] = []
        settings = server.settings(smtp_password="wrong")
        report = flows.send_due(log_send=records.append, settings=settings, now=NOW)
        assert report.failed == 1 and "refused the sign-in" in report.problem and "wrong" not in report.problem
        assert records[0].status == "failed" and "wrong" not in (records[0].error or "")
        assert send(server, now=NOW + timedelta(minutes=4)).sent == 0  # backing off
        assert send(server, now=NOW + timedelta(minutes=6)).sent == 1


def test_a_refused_recipient_fails_for_good(smtp, people) -> None:
    smtp.refuse(people[REP_ID].email)
    tell("deal_assigned", REP_ID, "refused")
    tell("deal_assigned", OTHER_REP_ID, "accepted")
    report = send(smtp)
    assert (report.sent, report.failed) == (1, 1)
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        assert session.scalar(text("SELECT status FROM notification_deliveries WHERE user_id = :u"),
                              {"u": REP_ID}) == "failed"


def test_every_send_is_logged_in_the_integration_log(smtp) -> None:
    from nexus360.cli.notifications import run_send_due

    with session_scope(Database.INTEGRATION, admin=True) as session:
        before = session.scalar(text("SELECT COALESCE(max(id), 0) FROM integration_logs"))
    tell("deal_assigned", REP_ID, "logged")
    assert run_send_due(settings=smtp.settings(), now=NOW).sent == 1
    with session_scope(Database.INTEGRATION, admin=True) as session:
        rows = session.execute(text(
            "SELECT l.event_type, l.status, l.payload, c.name, c.config FROM integration_logs l "
            "JOIN integration_configs c ON c.id = l.integration_id WHERE l.id > :id"), {"id": before}).all()
        session.execute(text("DELETE FROM integration_logs WHERE id > :id"), {"id": before})
    [(event, status, payload, name, config)] = rows
    assert (event, status, payload["user_id"], payload["type"], name) == (
        "notification_email", "success", REP_ID, "deal_assigned", "Notification e-mail")
    assert config["host"] == "127.0.0.1" and config["password"] is None


def test_without_a_mail_server_nothing_is_sent_and_the_command_says_so(seeded) -> None:
    from click.testing import CliRunner

    from nexus360.cli import main

    tell("deal_assigned", REP_ID, "no-server")
    result = CliRunner().invoke(main, ["notifications", "send-due"], env={"NEXUS360_SMTP_HOST": ""})
    assert result.exit_code == 1 and "E-mail is not set up" in result.output


# --- retention ---------------------------------------------------------------------------------------------


def test_prune_deletes_archived_notifications_past_retention_in_batches(seeded) -> None:
    for number in range(7):
        tell("deal_won", REP_ID, f"prune:{number}", title=f"Prune {number}")
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        session.execute(text(
            "UPDATE notifications SET status = 'archived', archived_at = :old WHERE event_key LIKE 'test17:prune:%' "
            "AND event_key <> 'test17:prune:6'"), {"old": datetime(2020, 1, 1)})
    counts = flows.prune(settings=SmtpStandIn().settings(notifications_retention_days=180), batch=2)
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        left = session.scalars(text("SELECT event_key FROM notifications WHERE event_key LIKE 'test17:prune:%'"))
        assert list(left) == ["test17:prune:6"]
    assert counts["notifications"] >= 6
    with pytest.raises(Exception, match="notifications.deliver"):
        flows.prune(actor=person(REP_ID))


def test_delivery_reads_are_refused_to_anyone_but_the_sender(db) -> None:
    with pytest.raises(Exception, match="notifications.deliver"):
        preferences.email_wanted(db(Database.NOTIFICATIONS), person(REP_ID), pairs=[(REP_ID, "deal_won")])
    assert preferences.email_wanted(db(Database.NOTIFICATIONS), DELIVERY, pairs=[(REP_ID, "deal_won")]) == {
        (REP_ID, "deal_won"): False}
