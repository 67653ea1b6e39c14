"""Admin page under AppTest: an admin manages users and grants, reads the audit log in names and words;
others get a refusal. Only the open tab runs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select
from streamlit.testing.v1 import AppTest

from nexus360.auth import service as auth_service
from nexus360.auth.models import AuditEvent, User
from nexus360.auth.schemas import PERMISSIONS
from nexus360.db import Database, session_scope
from tests.pages.apptest import open_as, principal_for, shown
from tests.pages.sql_sent import cold_run, warm_run

pytestmark = pytest.mark.usefixtures("seeded")
TABS = ["Users", "Roles & permissions", "Audit log"]  # the directory sync is on Integrations
REP_EMAIL = "emily.chen@nexus360.example.com"


def open_admin_as(username: str, tab: str | None = None) -> AppTest:
    app = open_as(username, "admin")
    if tab is not None:
        app.session_state["admin_tab"] = tab
        app.run()
    return app


def select_user(app: AppTest, email: str) -> AppTest:
    table = app.dataframe[0].value
    row = list(table["Email"]).index(email)
    app.session_state["admin_users_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    app.run()
    return app


def test_admin_sees_users_permission_matrix_and_audit_log() -> None:
    app = open_admin_as("admin")
    assert not app.exception
    assert app.title[0].value == "Administration"
    assert [tab.label for tab in app.tabs] == TABS
    users = app.dataframe[0].value
    assert len(users) == 12
    assert {"Name", "Email", "Roles", "Status", "Local sign-in"} <= set(users.columns)
    assert "Deactivated" in set(users["Status"])
    assert "None" not in users.to_csv()


def test_search_narrows_the_user_list_and_counts_in_words() -> None:
    app = open_admin_as("admin")
    app.text_input(key="admin_search").input("vasquez").run()
    assert not app.exception
    assert list(app.dataframe[0].value["Email"]) == ["elena.vasquez@nexus360.example.com"]
    assert any(caption.value.endswith("· 1 user") for caption in app.caption)  # item 11: not "1 users"


def test_a_search_matching_nobody_says_so() -> None:
    app = open_admin_as("admin")
    app.text_input(key="admin_search").input("%_no such person_%").run()
    assert not app.exception
    assert any("No users match" in info.value for info in app.info)


def test_a_manager_is_refused() -> None:
    app = AppTest.from_file(str(open_as.__globals__["PROJECT_ROOT"] / "pages" / "admin.py"), default_timeout=60)
    app.session_state["principal"] = principal_for("manager")
    app.run()
    assert any("do not have access" in warning.value for warning in app.warning)
    assert not app.dataframe and not app.tabs


def test_your_own_account_offers_no_deactivation() -> None:
    """Item 11: 'Deactivate…' was offered on one's own account and refused only after confirming."""
    admin = principal_for("admin")
    app = select_user(open_admin_as("admin"), admin.email)
    assert "Deactivate…" not in [button.label for button in app.button]
    assert any("This is your account" in caption.value for caption in app.caption)
    other = select_user(open_admin_as("admin"), REP_EMAIL)
    assert "Deactivate…" in [button.label for button in other.button]


def test_a_user_cannot_be_saved_without_a_role() -> None:
    """Item 11: saving no role is refused by name, and the user keeps their roles."""
    app = select_user(open_admin_as("admin"), REP_EMAIL)
    app.multiselect[0].set_value([])
    next(button for button in app.button if button.label == "Save roles").click().run()
    assert not app.exception
    assert any(shown(error.value).startswith("Roles: choose at least one") for error in app.error)
    with session_scope(Database.AUTH, admin=True) as session:
        user_id = session.scalars(select(User.id).where(User.email == REP_EMAIL)).one()
        assert auth_service.get_principal(session, user_id).roles == ("sales_rep",)


def test_saved_roles_show_at_once_and_are_put_back() -> None:
    with session_scope(Database.AUTH, admin=True) as session:
        user_id = session.scalars(select(User.id).where(User.email == REP_EMAIL)).one()
    started = datetime.now(UTC).replace(tzinfo=None)
    try:
        app = select_user(open_admin_as("admin"), REP_EMAIL)
        app.multiselect[0].set_value(["sales_rep", "marketer"])
        next(button for button in app.button if button.label == "Save roles").click().run()
        assert not app.exception
        row = app.dataframe[0].value.set_index("Email").loc[REP_EMAIL]
        assert row["Roles"] == "Marketer, Sales rep"
        assert any("Roles of Emily Chen saved" in shown(success.value) for success in app.success)
    finally:
        app = select_user(open_admin_as("admin"), REP_EMAIL)
        app.multiselect[0].set_value(["sales_rep"])
        next(button for button in app.button if button.label == "Save roles").click().run()
        with session_scope(Database.AUTH, admin=True) as session:
            assert auth_service.get_principal(session, user_id).roles == ("sales_rep",)
            session.execute(delete(AuditEvent).where(AuditEvent.action == "admin.set_roles",
                                                     AuditEvent.created_at >= started))


def test_the_permission_matrix_says_what_each_permission_means() -> None:
    """Item 14: no blank first header, no empty extra row, no 'crm.read' field names."""
    app = open_admin_as("admin", "Roles & permissions")
    assert not app.exception
    [matrix] = [frame.value for frame in app.dataframe]
    assert list(matrix.columns) == ["Permission", "Administrator", "Sales manager", "Sales rep", "Marketer"]
    assert len(matrix) == len(PERMISSIONS) and matrix.notna().all().all()
    assert set(matrix["Permission"]) == set(PERMISSIONS.values())
    assert not any(code in matrix.to_csv() for code in PERMISSIONS)
    assert [button.label for button in app.button if button.key == "permission_save"] == ["No changes to save"]


def test_the_audit_log_reads_in_names_and_words() -> None:
    """Item 13: user ids and raw JSON were shown."""
    admin = principal_for("admin")
    with session_scope(Database.AUTH, admin=True) as session:
        rep = session.scalars(select(User.id).where(User.email == REP_EMAIL)).one()
        event = AuditEvent(user_id=admin.id, action="admin.set_roles", result="allowed", object_type="user",
                           object_id=str(rep), details={"before": ["sales_rep"], "after": ["marketer", "sales_rep"]})
        session.add(event)
        session.flush()
        event_id = event.id
    try:
        app = open_admin_as("admin", "Audit log")
        assert not app.exception
        [log] = [frame.value for frame in app.dataframe]
        assert list(log.columns) == ["Time (UTC)", "Who", "Action", "Object", "Result", "Details"]
        text = log.drop(columns=["Time (UTC)"]).to_csv()
        assert "{" not in text and "None" not in text and "_id" not in text and "admin." not in text
        latest = log.iloc[0]
        assert (latest["Who"], latest["Action"], latest["Object"], latest["Result"], latest["Details"]) == (
            "Ingrid Solberg", "Changed a user's roles", "User Emily Chen", "Allowed",
            "Roles: Sales rep → Marketer, Sales rep")
        app.selectbox(key="audit_kind").set_value("Commissions").run()
        assert not app.exception
        assert "Changed a user's roles" not in " ".join(frame.value.to_csv() for frame in app.dataframe)
    finally:
        with session_scope(Database.AUTH, admin=True) as session:
            session.execute(delete(AuditEvent).where(AuditEvent.id == event_id))


@pytest.mark.parametrize("tab", TABS)
def test_a_hidden_tabs_queries_are_not_run_and_a_rerun_sends_few_statements(tab: str) -> None:
    reads = {"Users": "array_agg", "Roles & permissions": "JOIN role_permissions", "Audit log": "FROM audit_events"}
    app = open_admin_as("admin", tab)
    cold = cold_run(app)
    sent = " ".join(cold)
    for hidden, query in reads.items():
        if hidden != tab:
            assert query not in sent, f"{tab} open, yet {hidden}'s query ran"
    assert reads[tab] in sent
    assert len(cold) <= 10, "\n".join(cold)
    assert len(warm_run(app)) <= 3
