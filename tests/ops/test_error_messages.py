"""A database that cannot be reached, a timeout or an unexpected error: one plain sentence with an error id on the
page, never a host, socket path, server message or traceback; the details in the log under the same id."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from sqlalchemy import text

from nexus360.common.errors import DatabaseTimeout
from nexus360.config import reset_settings
from nexus360.db import Database, dispose_engines, session_scope
from tests.ops.logcapture import captured_log
from tests.pages.apptest import open_as

pytestmark = pytest.mark.usefixtures("seeded")

DEAD_URL = "postgresql://nobody:secret@127.0.0.1:1/nexus360_marketing"
ERROR_ID = re.compile(r"\(error id ([0-9a-f]{10})\)")
NEVER_ON_THE_PAGE = ("127.0.0.1", "socket", "secret", "connection", "Traceback", "psycopg", "sqlalchemy", "/tmp")


def page_text(app) -> str:
    kinds = ("error", "warning", "markdown", "info")
    return "\n".join(str(element.value) for kind in kinds for element in app.get(kind))


def errors_shown(app) -> list[str]:
    return [str(error.value) for error in app.error]


@pytest.fixture
def marketing_unreachable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NEXUS360_MARKETING_URL", DEAD_URL)
    reset_settings()
    dispose_engines()
    st.cache_data.clear()
    yield
    monkeypatch.delenv("NEXUS360_MARKETING_URL")
    reset_settings()
    dispose_engines()


@pytest.mark.usefixtures("marketing_unreachable")
def test_an_unreachable_database_is_one_sentence_with_an_id_and_the_log_has_the_details() -> None:
    with captured_log() as lines:
        app = open_as("marketer", "marketing")
    assert not app.exception
    shown = errors_shown(app)
    assert shown, page_text(app)
    assert shown[0].startswith("The marketing data is unavailable right now; try again in a minute.")
    error_id = ERROR_ID.search(shown[0]).group(1)
    for forbidden in NEVER_ON_THE_PAGE:
        assert forbidden not in page_text(app), forbidden
    logged = [line for line in lines if line.get("error_id") == error_id]
    assert len(logged) == 1
    assert logged[0]["database"] == "marketing" and "127.0.0.1:1" in logged[0]["message"]
    assert logged[0]["page"] == "campaigns" and logged[0]["user_id"] == app.session_state["principal"].id
    assert "secret" not in str(lines)


def test_an_unexpected_error_shows_a_sentence_and_an_id_never_its_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from nexus360.ui import session

    real_scope = session.session_scope

    def failing_scope(database, **kwargs):
        if Database(database) is Database.MARKETING:
            raise RuntimeError("server said: relation at /tmp/socket failed")
        return real_scope(database, **kwargs)

    monkeypatch.setattr(session, "session_scope", failing_scope)
    st.cache_data.clear()
    with captured_log() as lines:
        app = open_as("marketer", "marketing")
    assert not app.exception
    shown = errors_shown(app)
    assert shown and shown[0].startswith("Something went wrong with the marketing data; try again in a minute.")
    assert "server said" not in page_text(app) and "/tmp" not in page_text(app)
    error_id = ERROR_ID.search(shown[0]).group(1)
    logged = [line for line in lines if line.get("error_id") == error_id]
    assert len(logged) == 1 and logged[0]["level"] == "error"
    assert "RuntimeError: server said" in logged[0]["traceback"]


def test_an_uncaught_error_anywhere_in_a_page_is_a_sentence_and_an_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """Raised outside ui.session (a view's own bug): Home.py's page run catches it."""
    from nexus360.ui.home import overview

    def broken() -> None:
        raise KeyError("internal detail")

    monkeypatch.setattr(overview, "home_page", broken)
    with captured_log() as lines:
        app = open_as("rep")
    assert not app.exception
    shown = errors_shown(app)
    assert shown and shown[0].startswith("Something went wrong on this page; try again in a minute.")
    assert "internal detail" not in page_text(app)
    error_id = ERROR_ID.search(shown[0]).group(1)
    assert [line["page"] for line in lines if line.get("error_id") == error_id] == ["home"]


def test_a_statement_past_the_time_limit_is_a_timeout_naming_the_data_not_the_server() -> None:
    with pytest.raises(DatabaseTimeout) as raised, session_scope(Database.MARKETING) as session:
        session.execute(text("SET LOCAL statement_timeout = 50"))
        session.execute(text("SELECT pg_sleep(2)"))
    assert raised.value.user_message == ("The marketing data took too long to load; try again in a minute, "
                                         "or narrow the filters.")
    assert "socket" not in raised.value.user_message


def test_page_runs_are_logged_with_user_page_and_duration() -> None:
    with captured_log() as lines:
        app = open_as("rep")  # Home.py's router (AppTest's switch_page runs a page's script without it)
    runs = [line for line in lines if line.get("action") == "page.run"]
    assert runs and runs[-1]["page"] == "home" and runs[-1]["outcome"] == "ok"
    assert runs[-1]["user_id"] == app.session_state["principal"].id and runs[-1]["duration_ms"] > 0
    assert all(set(line) >= {"time", "level", "logger", "message"} for line in lines)
