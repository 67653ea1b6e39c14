"""The sign-in gate under AppTest: a session whose rights are taken away, or that signed out elsewhere, is back
on the sign-in page at its next rerun, with a sentence saying why."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from nexus360.auth import service as auth_service
from nexus360.auth.users import service as users
from nexus360.db import Database, session_scope
from tests.pages.apptest import HOME, principal_for

PASSWORD = "nexus360-demo"


def rerun(app: AppTest) -> AppTest:
    """The next click, as a browser makes it: Home.py (the sign-in gate) runs, then the page.

    AppTest's own rerun starts the page script the last run finished on and skips the main script, so it
    would never meet the gate; forgetting that page makes it start from Home.py as Streamlit does."""
    app._page_hash = ""
    app._finished_page_script_hash = ""
    return app.run()


def signed_in_through_the_form(username: str) -> AppTest:
    app = AppTest.from_file(HOME, default_timeout=60)
    app.run()
    username_field, password_field = app.text_input
    username_field.input(username)
    password_field.input(PASSWORD)
    next(button for button in app.button if button.label == "Sign in").click()
    rerun(app)
    assert not app.exception
    assert not on_the_sign_in_page(app)
    assert app.session_state["principal"].email == principal_for(username).email
    return app


def on_the_sign_in_page(app: AppTest) -> bool:
    return [field.label for field in app.text_input] == ["Username", "Password"] and not app.metric


def notices(app: AppTest) -> list[str]:
    return [info.value for info in app.info] + [error.value for error in app.error]


def as_admin(action) -> None:
    with session_scope(Database.AUTH) as session:
        action(session, auth_service.get_principal_by_username(session, "admin"))


@pytest.fixture
def rep_restored(seeded) -> Iterator[int]:
    """The `rep` account, active with its roles again afterwards."""
    rep = principal_for("rep")
    yield rep.id
    as_admin(lambda session, admin: users.set_user_active(session, admin, user_id=rep.id, active=True))
    as_admin(lambda session, admin: users.set_user_roles(session, admin, user_id=rep.id, roles=list(rep.roles)))


def test_a_deactivated_rep_is_signed_out_at_the_next_click(rep_restored) -> None:
    app = signed_in_through_the_form("rep")
    as_admin(lambda session, admin: users.set_user_active(session, admin, user_id=rep_restored, active=False))
    rerun(app)
    assert not app.exception
    assert on_the_sign_in_page(app)
    assert "principal" not in app.session_state
    assert any("deactivated" in notice for notice in notices(app))


def test_a_rep_whose_role_is_taken_away_is_signed_out_at_the_next_click(rep_restored) -> None:
    app = signed_in_through_the_form("rep")  # an admin makes the rep a marketer (a user keeps at least one role)
    as_admin(lambda session, admin: users.set_user_roles(session, admin, user_id=rep_restored, roles=["marketer"]))
    rerun(app)
    assert on_the_sign_in_page(app)
    assert any("roles changed" in notice for notice in notices(app))


def test_signing_out_in_one_tab_ends_another_tab_on_the_same_session(seeded) -> None:
    first = signed_in_through_the_form("manager")
    second = AppTest.from_file(HOME, default_timeout=60)  # another tab that resumed the same cookie
    for key in ("principal", "sign_in_session_id", "sign_in_method"):
        second.session_state[key] = first.session_state[key]
    rerun(second)
    assert not on_the_sign_in_page(second)
    next(button for button in first.button if button.label == "Sign out").click()
    rerun(first)
    assert on_the_sign_in_page(first)
    rerun(second)
    assert on_the_sign_in_page(second)
    assert any("signed out" in notice for notice in notices(second))


def test_a_changed_grant_reaches_an_open_session_without_signing_it_out(seeded) -> None:
    app = signed_in_through_the_form("rep")
    try:
        as_admin(lambda session, admin: users.set_permission_matrix(
            session, admin, matrix={"sales_rep": {"forecasts.read": False}}))
        rerun(app)
        assert not on_the_sign_in_page(app)
        assert not app.session_state["principal"].has("forecasts.read")
    finally:
        as_admin(lambda session, admin: users.set_permission_matrix(
            session, admin, matrix={"sales_rep": {"forecasts.read": True}}))
