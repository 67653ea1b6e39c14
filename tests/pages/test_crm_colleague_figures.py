"""Security 7 on the CRM dashboard: a rep picks their own deals or everyone's, and sees colleagues by rank only;
a manager still picks any seller or team and sees everyone's revenue (the service enforces it:
tests/crm/dashboard/test_dashboard.py)."""

from __future__ import annotations

import pytest

from nexus360.ui.crm.dashboard import CHART_KEY
from nexus360.ui.crm.interactions import _on_tab
from tests.pages.apptest import open_as

pytestmark = pytest.mark.usefixtures("seeded")


def dashboard_as(username: str):
    app = open_as(username, "crm")
    _on_tab(app, "Dashboard")
    assert not app.exception
    return app


def owner_picker(app):
    return next(box for box in app.selectbox if box.label == "Owner / team")


def test_a_rep_picks_only_their_own_deals_or_everyone_and_sees_colleagues_by_rank() -> None:
    app = dashboard_as("rep")
    assert owner_picker(app).options == ["Everyone", "My deals"]
    app.segmented_control(key=CHART_KEY).set_value("Who is ahead").run()
    ranking = next(frame.value for frame in app.dataframe if list(frame.value.columns) == ["rank", "owner"])
    assert list(ranking["rank"]) == list(range(1, len(ranking) + 1)) and ranking["owner"].notna().all()
    assert "Colleagues' revenue is shown to managers only." in [caption.value for caption in app.caption]


def test_a_manager_picks_any_seller_or_team_and_sees_their_revenue() -> None:
    app = dashboard_as("manager")
    options = owner_picker(app).options
    assert options[:2] == ["Everyone", "My deals"] and any(option.startswith("Team of ") for option in options)
    assert len(options) > 4
    assert not any(metric.label.startswith("Your rank: ") for metric in app.metric)
