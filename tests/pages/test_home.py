"""Home page under AppTest: a signed-in user sees the KPIs computed from the demo data."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_as


def run_home_as(username: str) -> AppTest:
    return open_as(username)


@pytest.mark.usefixtures("seeded")
def test_manager_sees_the_five_kpis_without_error() -> None:
    app = run_home_as("manager")
    assert not app.exception
    labels = [metric.label for metric in app.metric]
    assert labels[0] == "Open pipeline"
    assert labels[1].startswith("Won in Q")
    assert labels[2:] == ["Win rate", "New leads", "Unread notifications"]
    assert app.metric[0].value.startswith("$")
    assert app.metric[2].value.endswith("%")


@pytest.mark.usefixtures("seeded")
def test_rep_sees_the_home_page_with_their_own_unread_count() -> None:
    app = run_home_as("rep")
    assert not app.exception
    assert "Unread notifications" in [metric.label for metric in app.metric]


@pytest.mark.usefixtures("seeded")
def test_signed_out_visitor_gets_the_sign_in_form_and_no_figures() -> None:
    app = open_as(None)
    assert not app.exception
    assert not app.metric
    assert [field.label for field in app.text_input] == ["Username", "Password"]
