"""Admin page under AppTest: an admin manages users and grants; others get a refusal."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_as


def open_admin_as(username: str) -> AppTest:
    return open_as(username, "admin")


@pytest.mark.usefixtures("seeded")
def test_admin_sees_users_permission_matrix_and_audit_log() -> None:
    app = open_admin_as("admin")
    assert not app.exception
    assert app.title[0].value == "Administration"
    assert [tab.label for tab in app.tabs] == ["Users", "Roles & permissions", "Audit log"]
    users = app.dataframe[0].value
    assert len(users) == 12
    assert {"Name", "Email", "Roles", "Status", "Local sign-in"} <= set(users.columns)
    assert "Deactivated" in set(users["Status"])


@pytest.mark.usefixtures("seeded")
def test_search_narrows_the_user_list() -> None:
    app = open_admin_as("admin")
    app.text_input(key="admin_search").input("vasquez").run()
    assert not app.exception
    assert list(app.dataframe[0].value["Email"]) == ["elena.vasquez@nexus360.example.com"]


@pytest.mark.usefixtures("seeded")
def test_a_search_matching_nobody_says_so() -> None:
    app = open_admin_as("admin")
    app.text_input(key="admin_search").input("%_no such person_%").run()
    assert not app.exception
    assert any("No users match" in info.value for info in app.info)
