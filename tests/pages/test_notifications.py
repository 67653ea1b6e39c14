"""Notifications page under AppTest: the inbox (literal titles, why, read/archive/snooze, filters, the badge),
preferences, and the template editor (preview, refusal with the line, save) as each role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy import text

from nexus360.db import Database, session_scope
from nexus360.notifications import service
from tests.pages.apptest import open_as, principal_for, shown

pytestmark = pytest.mark.usefixtures("seeded")
PAYLOAD = '=HYPERLINK("http://evil","x") :red[red] <b>Statement</b> $x$'


@pytest.fixture
def planted() -> Iterator[dict]:
    """A fresh notification for the rep whose deal title is markup, from the manager."""
    rep, manager = principal_for("rep"), principal_for("manager")
    with session_scope(Database.NOTIFICATIONS, actor=manager) as session:
        service.notify_event(session, manager, type="deal_won", recipients=[rep.id], key="test17:page",
                             data={"deal": {"id": 2006, "title": PAYLOAD, "company": "Acme", "amount": "$5"}})
    try:
        yield {"rep": rep}
    finally:
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(text("DELETE FROM notifications WHERE event_key LIKE 'test17:%'"))
            session.execute(text("DELETE FROM notification_deliveries WHERE event_key LIKE 'test17:%'"))
            session.execute(text("DELETE FROM notification_preferences"))
            session.execute(text("DELETE FROM notification_templates WHERE updated_by IS NOT NULL"))
            session.execute(text("UPDATE notification_settings SET timezone = 'UTC', quiet_start = NULL, "
                                 "quiet_end = NULL"))


def unread(principal) -> int:
    with session_scope(Database.NOTIFICATIONS, actor=principal) as session:
        return service.count_unread(session, principal)


def markdown_of(app) -> list[str]:
    return [shown(item.value) for item in app.markdown] + [shown(item.value) for item in app.caption]


@pytest.mark.parametrize("username", ["admin", "manager", "rep", "marketer"])
def test_every_role_opens_its_inbox_and_sees_only_its_tabs(username: str) -> None:
    app = open_as(username, "notifications")
    assert not app.exception
    assert app.title[0].value == "Notifications"
    labels = [tab.label for tab in app.tabs]
    assert labels[:2] == ["Inbox", "Preferences"]
    assert ("Templates" in labels) == (username != "rep")


def test_the_title_is_shown_literally_with_why_and_the_badge_counts_it(planted) -> None:
    app = open_as("rep", "notifications")
    texts = markdown_of(app)
    assert any(f"Won: {PAYLOAD}" in value for value in texts), "user text shown as typed"
    assert any("You got this because you own this deal." in value for value in texts)
    home = open_as("rep")  # the sidebar as every page draws it (AppTest keeps it for the first page only)
    assert f"{unread(planted['rep']):,} unread notifications" in [link.value for link in home.get("page_link")]


def test_read_unread_archive_and_mark_all(planted) -> None:
    rep = planted["rep"]
    app = open_as("rep", "notifications")
    before = unread(rep)
    next(button for button in app.button if button.key.startswith("notification_read_")).click().run()
    assert not app.exception and unread(rep) == before - 1
    next(button for button in app.button if button.key.startswith("notification_archive_")).click().run()
    assert not app.exception
    app.button(key="notifications_all_read").click().run()
    assert unread(rep) == 0
    assert any("all caught up" in caption.value for caption in app.caption)


def test_filters_rerun_the_list_and_say_when_nothing_matches(planted) -> None:
    app = open_as("rep", "notifications")
    app.selectbox(key="notifications_type").set_value("deal_won").run()
    assert not app.exception
    assert any(PAYLOAD in value for value in markdown_of(app))
    app.segmented_control(key="notifications_view").set_value("snoozed").run()
    assert not app.exception
    assert any("No notifications match these filters." in info.value for info in app.info)
    app.selectbox(key="notifications_type").set_value("").run()
    assert any("Nothing snoozed" in info.value for info in app.info)


def test_preferences_save_and_a_critical_type_cannot_be_unticked(planted) -> None:
    app = open_as("rep", "notifications")
    app.session_state["notifications_tab"] = "Preferences"
    app.run()
    assert not app.exception
    critical = [box for box in app.checkbox if "statement_sent_back" in box.key]
    assert critical and all(box.disabled and box.value for box in critical)
    next(box for box in app.checkbox if box.key.endswith("_deal_won_app")).uncheck()
    app.selectbox(key=next(box.key for box in app.selectbox if box.key.endswith("_zone"))).set_value("Europe/Berlin")
    next(button for button in app.button if button.label == "Save preferences").click().run()
    assert not app.exception
    rep = planted["rep"]
    from nexus360.notifications.preferences import service as preferences

    with session_scope(Database.NOTIFICATIONS, actor=rep) as session:
        saved = preferences.get_preferences(session, rep)
    assert saved.settings.timezone == "Europe/Berlin"
    assert not next(item for item in saved.types if item.type == "deal_won").in_app


def test_the_template_editor_previews_refuses_with_the_line_and_saves(planted) -> None:
    app = open_as("manager", "notifications")
    app.session_state["notifications_tab"] = "Templates"
    app.run()
    assert not app.exception
    app.selectbox(key="notification_template_type").set_value("deal_won").run()
    body = next(area for area in app.text_area if area.label == "Body")
    body.set_value("Hi\n{{ deal.titel }}").run()
    assert any("Body, line 2" in shown(error.value) and "deal.titel" in shown(error.value) for error in app.error)
    next(button for button in app.button if button.label == "Save template").click().run()
    assert any("Body, line 2" in shown(error.value) for error in app.error), "the save is refused by line"
    body = next(area for area in app.text_area if area.label == "Body")
    body.set_value("{{ deal.title|upper }} was won by {{ actor.name }}.").run()
    assert not app.error
    assert any("NORDWIND LOGISTICS: FLEET RENEWAL was won by Sophie Lambert." in value for value in markdown_of(app))
    next(button for button in app.button if button.label == "Save template").click().run()
    assert not app.exception
    manager = principal_for("manager")
    from nexus360.notifications.templates import service as templates

    with session_scope(Database.NOTIFICATIONS, actor=manager) as session:
        assert templates.get_template(session, manager, type="deal_won").body.startswith("{{ deal.title|upper }}")


def test_a_rep_opening_the_templates_tab_by_address_gets_the_inbox() -> None:
    app = open_as("rep", "notifications")
    app.query_params["notifications_tab"] = "Templates"
    app.run()
    assert not app.exception
    assert "Templates" not in [tab.label for tab in app.tabs]


# --- only what is shown runs (issue 12) --------------------------------------------------------------------


class Statements:
    """The SQL text of every statement sent while `capture()` is open."""

    def __init__(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self.sent: list[str] = []
        self._listen, self._engine = event, Engine

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        self.sent.append(statement)

    def __enter__(self) -> list[str]:
        self._listen.listen(self._engine, "before_cursor_execute", self._seen)
        return self.sent

    def __exit__(self, *exc) -> None:
        self._listen.remove(self._engine, "before_cursor_execute", self._seen)


@pytest.mark.parametrize(("tab", "hidden"), [
    ("Inbox", ("notification_templates",)),
    ("Preferences", ("ORDER BY notifications.id DESC", "notification_templates")),
    ("Templates", ("ORDER BY notifications.id DESC", "notification_preferences.email")),
])
def test_a_hidden_tabs_queries_are_not_run(tab: str, hidden: tuple[str, ...]) -> None:
    app = open_as("manager", "notifications")
    app.session_state["notifications_tab"] = tab
    st.cache_data.clear()  # cold: every read goes to the database
    with Statements() as sent:
        app.run()
    assert not app.exception
    text_sent = " ".join(sent)
    for query in hidden:
        assert query not in text_sent, f"{tab} open, yet a hidden tab's query ran: {query}"


@pytest.mark.parametrize("tab", ["Inbox", "Preferences", "Templates"])
def test_a_warm_rerun_sends_a_handful_of_statements(tab: str) -> None:
    app = open_as("manager", "notifications")
    app.session_state["notifications_tab"] = tab
    app.run()
    with Statements() as sent:
        app.run()
    assert not app.exception
    assert len(sent) <= 10, f"a warm rerun of {tab} sent {len(sent)} statements: {sent}"
