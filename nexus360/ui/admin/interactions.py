"""What people do on the Admin page, for `python -m nexus360 bench pages` (nexus360.bench.pages.INTERACTIONS).

Each alternates between two states before every timed rerun, so the warm figures measure cached reads.
"""

from __future__ import annotations

from typing import Any

from nexus360.ui.admin.page import TAB_KEY
from nexus360.ui.admin.users import TABLE_KEY


def _on_tab(app: Any, tab: str) -> None:
    if TAB_KEY not in app.session_state or app.session_state[TAB_KEY] != tab:
        app.session_state[TAB_KEY] = tab
        app.run()


def search_users(app: Any) -> None:
    _on_tab(app, "Users")
    box = app.text_input(key="admin_search")
    box.input("" if box.value else "an")


def filter_by_role(app: Any) -> None:
    _on_tab(app, "Users")
    box = app.selectbox(key="admin_role")
    box.select_index(0 if box.index == 1 else 1)


def open_a_user(app: Any) -> None:
    """Select the first user of the list, or the second when the first is selected."""
    _on_tab(app, "Users")
    current = app.session_state[TABLE_KEY]["selection"]["rows"] if TABLE_KEY in app.session_state else []
    app.session_state[TABLE_KEY] = {"selection": {"rows": [1 if current == [0] else 0], "columns": [], "cells": []}}


def audit_kind(app: Any) -> None:
    _on_tab(app, "Audit log")
    box = app.selectbox(key="audit_kind")
    box.select_index(0 if box.index == 1 else 1)


INTERACTIONS = {
    "users: search": search_users,
    "users: filter by role": filter_by_role,
    "users: open a user": open_a_user,
    "audit log: kind of event": audit_kind,
}
