"""Campaigns & Leads page under AppTest: the scoring rules and the ROI dashboard."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import delete, select

from nexus360.common.periods import today_utc
from nexus360.db import Database, session_scope
from nexus360.marketing.models import Campaign, LeadScoringRule
from tests.pages.apptest import shown
from tests.pages.marketing_app import errors, open_campaigns_as, widget

pytestmark = pytest.mark.usefixtures("seeded")

EDITOR = "scoring_rules_editor_0"


# --- scoring -------------------------------------------------------------------------------------


def test_scoring_rules_read_in_plain_words() -> None:
    app = open_campaigns_as("manager", "Scoring")
    rules = next(frame.value for frame in app.dataframe if "meaning" in frame.value.columns)
    assert len(rules) > 0
    assert rules["meaning"].str.contains("points|point for every").all()


@pytest.fixture
def new_rule_value() -> Iterator[str]:
    value = f"apptest-{uuid.uuid4().hex[:8]}.example"
    yield value
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(delete(LeadScoringRule).where(LeadScoringRule.value == value))


def rules_valued(value: str) -> list[int]:
    with session_scope(Database.MARKETING, admin=True) as session:
        return list(session.scalars(select(LeadScoringRule.points).where(LeadScoringRule.value == value)))


def add_rule(app, value: str, points: int):
    app.session_state[EDITOR] = {"edited_rows": {}, "deleted_rows": [],
                                 "added_rows": [{"kind": "email_domain", "value": value, "points": points,
                                                 "is_active": True}]}
    return app.run()


def test_points_beyond_100_are_refused_by_name_not_clamped(new_rule_value: str) -> None:
    app = add_rule(open_campaigns_as("marketer", "Scoring"), new_rule_value, 5000)
    assert not app.exception
    [message] = errors(app)
    assert message.startswith("Row ") and message.endswith(": Points must be at most 100.")
    assert "Save rules" not in {button.label for button in app.button}
    assert rules_valued(new_rule_value) == []


def test_a_saved_rule_is_saved_once_and_the_editor_starts_from_the_saved_rules(new_rule_value: str) -> None:
    app = add_rule(open_campaigns_as("marketer", "Scoring"), new_rule_value, 15)
    assert any(caption.value == "1 unsaved change." for caption in app.caption)
    widget(app, "button", "save_scoring_rules").click().run()
    assert not app.exception and not errors(app)
    assert rules_valued(new_rule_value) == [15]
    editor = next(frame for frame in app.dataframe if frame.key == "scoring_rules_editor_1")
    assert new_rule_value in set(editor.value["value"])
    assert any(caption.value == "No unsaved changes." for caption in app.caption)
    assert widget(app, "button", "save_scoring_rules").disabled  # nothing left to save a second time


def test_the_points_column_states_its_range() -> None:
    app = open_campaigns_as("marketer", "Scoring")
    editor = next(frame for frame in app.dataframe if frame.key == EDITOR)
    points = json.loads(editor.proto.columns)["points"]
    assert "-100 to 100" in points["help"] and "min_value" not in points.get("type_config", {})


# --- ROI -----------------------------------------------------------------------------------------


@pytest.fixture
def linked_campaign() -> Iterator[str]:
    """A campaign running now, with a budget and a name that is an HTML link."""
    name = f'<a href="http://evil.example">AppTest {uuid.uuid4().hex[:8]}</a>'
    with session_scope(Database.MARKETING, admin=True) as session:
        session.add(Campaign(name=name, type="webinar", status="active", budget=250_000,
                             start_date=today_utc() - timedelta(days=10), end_date=today_utc()))
    yield name
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(delete(Campaign).where(Campaign.name == name))


def comparison_labels(app) -> list[str]:
    chart = next(chart for chart in app.get("plotly_chart") if "Won revenue" in chart.proto.spec)
    return json.loads(chart.proto.spec)["data"][0]["y"]


def test_campaign_names_in_the_chart_are_text_not_links(linked_campaign: str) -> None:
    app = open_campaigns_as("manager", "ROI")
    chart = json.loads(next(chart.proto.spec for chart in app.get("plotly_chart") if "Won revenue" in chart.proto.spec))
    escaped = linked_campaign.replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in chart["data"][0]["customdata"]  # the hover text: the whole name, as text
    assert any(escaped.startswith(label.removesuffix("…")) for label in chart["data"][0]["y"])
    assert not any("<a" in text for text in chart["data"][0]["y"] + chart["data"][0]["customdata"])


def test_the_chart_caption_counts_the_campaigns_the_chart_draws() -> None:
    app = open_campaigns_as("manager", "ROI")
    drawn = len(comparison_labels(app))
    caption = next(caption.value for caption in app.caption if "budget or won revenue" in caption.value
                   or "spent or earned most" in caption.value)
    assert f" {drawn} " in caption or caption.startswith(f"The {drawn} ")


def test_the_campaign_table_has_human_headers_and_no_none(linked_campaign: str) -> None:
    app = open_campaigns_as("manager", "ROI")
    frame = next(frame for frame in app.dataframe if "roi" in frame.value.columns)
    config = json.loads(frame.proto.columns)
    headers = [config[column]["label"] for column in frame.value.columns]
    assert all(header and "_" not in header for header in headers), headers
    assert frame.proto.placeholder == "–"
    assert len(frame.value.columns) <= 10  # what fits at 1440 px without cutting a column
    counted = next(caption.value for caption in app.caption if "in the period, best return first" in caption.value)
    assert counted.startswith(f"{frame.value['name'].ne('No campaign').sum():,} campaign")


def test_two_campaigns_of_one_name_stay_two_bars() -> None:
    from datetime import date

    from nexus360.ui.marketing.roi import chart_names

    rows = pd.DataFrame({"name": ["Launch", "Launch", "Other <b>", "A name far too long to stand beside a bar whole"],
                         "start_date": [date(2026, 1, 5), date(2026, 3, 1), None, None]})
    assert chart_names(rows) == ["Launch (Jan 2026)", "Launch (Mar 2026)", "Other <b>",
                                 "A name far too long to stand beside…"]


def test_the_period_filter_reruns_the_dashboard_with_the_new_figures() -> None:
    app = open_campaigns_as("manager", "ROI")
    before = [metric.value for metric in app.metric]
    app.selectbox(key="roi_period").set_value("All time").run()
    assert not app.exception
    assert [metric.value for metric in app.metric] != before
    assert shown(app.metric[0].label) == "Campaign leads"
