"""Driving the Campaigns & Leads page under AppTest: tabs, lazy expanders, widgets by key, the SQL a run sends."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_as

TAB_KEY = "campaigns_tab"
TABS = ["Campaigns", "Leads", "Scoring", "ROI"]
PAYLOAD = ':red[red] **bold** [x](http://evil.example) <b>hi</b> $x^2$ =HYPERLINK("http://evil","x")'


def open_campaigns_as(username: str, tab: str | None = None) -> AppTest:
    app = open_as(username, "marketing")
    if tab:
        open_tab(app, tab)
    return app


def open_tab(app: AppTest, label: str) -> AppTest:
    """Switch the lazy tab bar the way a click does."""
    app.session_state[TAB_KEY] = label
    return app.run()


def open_expander(app: AppTest, key: str) -> AppTest:
    """Open a lazy expander (on_change="rerun") the way a click does."""
    app.session_state[key] = True
    return app.run()


def widget(app: AppTest, kind: str, key: str):
    """The widget of `kind` whose key is `key`, or starts with `key_` when the form's key carries a version."""
    found = [element for element in app.get(kind) if element.key == key]
    found = found or [element for element in app.get(kind) if (element.key or "").startswith(f"{key}")]
    assert found, f"no {kind} with key {key!r} (there are {[element.key for element in app.get(kind)]})"
    return found[0]


def select_row(app: AppTest, key: str, index: int) -> AppTest:
    """Select a row of a selectable st.dataframe the way a click does, then rerun."""
    app.session_state[key] = {"selection": {"rows": [index], "columns": [], "cells": []}}
    return app.run()


def table(app: AppTest, key: str):
    return next(frame for frame in app.dataframe if frame.key == key)


def labels(app: AppTest) -> set[str]:
    """Labels of the buttons on the page, form submit buttons included."""
    return {button.label for button in app.button}


def errors(app: AppTest) -> list[str]:
    from tests.pages.apptest import shown

    return [shown(error.value) for error in app.error]


