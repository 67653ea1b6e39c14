"""Integrations page under AppTest: health at a glance, connectors with masked secrets, the run log."""

from __future__ import annotations

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from nexus360.config import PROJECT_ROOT, get_settings
from nexus360.db import Database, session_scope
from nexus360.integrations import service as integration_service
from nexus360.integrations.connectors import service as connectors
from nexus360.ui import navigation
from tests.pages.apptest import open_as, principal_for, shown
from tests.pages.sql_sent import sql_sent


def open_integrations(username: str = "admin", tab: str | None = None) -> AppTest:
    app = open_as(username, "integrations")
    if tab:
        app.session_state["integrations_tab"] = tab
        app.run()
    return app


def page_text(app: AppTest) -> str:
    parts = [element.value for kind in ("markdown", "caption", "info", "success", "error", "warning", "code")
             for element in getattr(app, kind)]
    parts += [str(frame.value.to_dict()) for frame in app.dataframe]
    return shown("\n".join(str(part) for part in parts))


@pytest.mark.usefixtures("seeded")
def test_admin_sees_a_health_tile_per_connector_and_the_tabs() -> None:
    app = open_integrations()
    assert not app.exception
    assert app.title[0].value == "Integrations"
    assert [tab.label for tab in app.tabs] == ["Connectors", "Run log", "Directory sync", "Retention"]
    text = page_text(app)
    for name in ("Microsoft Graph directory sync", "Outlook mail", "Deal webhook"):
        assert name in text
    assert "Success, 24 h" in [metric.label for metric in app.metric]
    assert "None" not in text


@pytest.mark.usefixtures("seeded")
def test_connectors_show_where_secrets_come_from_never_their_value() -> None:
    app = open_integrations()
    connectors = app.dataframe[0].value
    assert {"Name", "Type", "On", "Where", "Secret"} <= set(connectors.columns)
    assert {"env variable, set", "env variable, not set"} & set(connectors["Secret"])  # the demo's references
    described = ("env variable, ", "secrets.toml, ", "encrypted", "not set")  # other tests' connectors too
    assert all(secret.startswith(described) for secret in connectors["Secret"]), set(connectors["Secret"])


@pytest.mark.usefixtures("seeded")
def test_adding_a_webhook_shows_its_new_secret_once() -> None:
    app = open_integrations()
    app.selectbox(key="integrations_add_type").set_value("webhook").run()
    form_inputs = [i for i in app.text_input if i.key and i.key.startswith("add_webhook")]
    app.text_input(key="add_webhook_url").input("https://hooks.example.org/apptest")
    app.multiselect(key="add_webhook_events").set_value(["deal.won"])
    name = next(i for i in app.text_input if i.label == "Name" and i not in form_inputs)
    name.input("AppTest hook")
    next(b for b in app.button if b.label == "Add connector").click().run()
    assert not app.exception
    [secret] = [code.value for code in app.code]
    assert secret.startswith("whsec_")
    app.run()  # the next run no longer shows it
    assert secret not in page_text(app) and "AppTest hook" in page_text(app)


@pytest.mark.usefixtures("seeded")
def test_a_bad_url_names_the_field_and_adds_nothing() -> None:
    app = open_integrations()
    app.selectbox(key="integrations_add_type").set_value("webhook").run()
    before = len(app.dataframe[0].value)
    app.text_input(key="add_webhook_url").input("ftp://files.example.org")
    app.multiselect(key="add_webhook_events").set_value(["deal.won"])
    next(i for i in app.text_input if i.label == "Name").input("Broken hook")
    next(b for b in app.button if b.label == "Add connector").click().run()
    assert any("URL must start with http" in error.value for error in app.error)
    assert len(app.dataframe[0].value) == before


@pytest.mark.usefixtures("seeded")
def test_the_run_log_lists_runs_and_shows_a_payload() -> None:
    app = open_integrations(tab="Run log")
    assert not app.exception
    log = app.dataframe[0].value
    assert {"Time (UTC)", "Integration", "Event", "Status", "HTTP", "Duration"} <= set(log.columns)
    app.selectbox(key="integrations_log_status").set_value("Failed").run()
    failed = app.dataframe[0].value
    assert set(failed["Status"]) == {"Failed"}


@pytest.mark.usefixtures("seeded")
def test_the_directory_sync_tab_moved_here() -> None:
    app = open_integrations(tab="Directory sync")
    assert not app.exception
    assert any(button.label == "Sync now" for button in app.button)


@pytest.mark.usefixtures("seeded")
def test_names_and_errors_from_microsoft_graph_are_shown_literally(monkeypatch) -> None:
    """Issue 11, finding 5 (with the tab, from Admin): what Graph returns is data, never markup."""
    error = "User **Mallory** ![x](http://evil/x.png) :red[failed] <b>bold</b>"
    last = {"status": "partial **x**", "at": datetime(2026, 1, 2, 3, 4), "errors": [error],
            "counts": {"created": 1, "updated": 0, "deactivated": 0, "unchanged": 3}}
    monkeypatch.setattr(integration_service, "last_sync", lambda session, principal: last)
    app = open_integrations(tab="Directory sync")
    assert not app.exception
    assert [shown(warning.value) for warning in app.warning] == [error]
    assert "**Mallory**" not in app.warning[0].value
    assert any("partial **x**" in shown(markdown.value) and "\\*\\*x" in markdown.value for markdown in app.markdown)


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("username", ["rep", "manager", "marketer"])
def test_others_are_refused(username: str) -> None:
    principal = principal_for(username)
    assert "integrations" not in [page.url_path for page in navigation.allowed_pages(principal)]
    # Home.py registers only a refusal for them; the page script itself refuses as well.
    app = AppTest.from_file(str(PROJECT_ROOT / "pages" / "integrations.py"), default_timeout=60)
    app.session_state["principal"] = principal
    app.run()
    assert not app.exception
    assert any("do not have access" in warning.value for warning in app.warning)
    assert not app.dataframe and not app.metric


@pytest.mark.usefixtures("seeded")
def test_a_rerun_of_the_run_log_sends_few_statements() -> None:
    """Issue 12: the run log's rerun (health tiles, filters, one page of runs) sends a few statements."""
    app = open_integrations(tab="Run log")
    with sql_sent() as texts:
        app.run()
    assert not app.exception
    # The health tiles (one transaction: who acts, one statement) and the page of runs with their integrations'
    # names (the same); the filters' choices come from the cache.
    assert len(texts) <= 4, f"{len(texts)} statements: " + "\n".join(texts)
    assert not [text for text in texts if "integration_configs.config" in text], "the connectors were read again"


@pytest.mark.usefixtures("seeded")
def test_a_connector_added_shows_at_once_in_the_run_logs_filter() -> None:
    """The filters' choices are cached, but a write this process commits makes the next read fresh."""
    app = open_integrations(tab="Run log")
    before = app.selectbox(key="integrations_log_integration").options
    principal = principal_for("admin")
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        connectors.add_connector(session, principal, name="Filter hook", type="webhook", settings=get_settings(),
                                 values={"url": "https://hooks.example.org/filter", "events": ["deal.won"]})
    app.run()
    after = app.selectbox(key="integrations_log_integration").options
    assert "Filter hook" in after and "Filter hook" not in before
