"""Forecasts page under AppTest: the rep's view (their own numbers, deals and call, nobody else's), the manager's
(team roll-up, movement, accuracy), and a marketer refused. Each tab runs only when open (lazy tabs)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text
from streamlit.testing.v1 import AppTest

from nexus360.common.periods import quarter_of, today_utc
from nexus360.config import PROJECT_ROOT
from nexus360.db import Database, session_scope
from nexus360.forecasting.models import Forecast, ForecastSnapshot
from nexus360.ui import navigation
from tests.pages.apptest import open_as, principal_for

pytestmark = pytest.mark.usefixtures("seeded")
OTHER_REPS = ("Lars Eriksson", "Aisha Khan", "Rafael Costa", "Arjun Mehta")
VIEW = f"{quarter_of(today_utc()).code}_rep:10"  # the rep demo account's own forecast of this quarter


def visible_text(app: AppTest) -> str:
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title", "subheader"):
        parts += [str(element.value) for element in getattr(app, kind)]
    parts += [f"{metric.label} {metric.value} {metric.delta or ''}" for metric in app.metric]
    parts += [frame.value.to_csv() for frame in app.dataframe]
    for box in app.selectbox:
        parts += [str(option) for option in box.options]
    return "\n".join(parts)


def open_tab(username: str, tab: str) -> AppTest:
    app = open_as(username)
    app.session_state["fc_tab"] = tab
    app.switch_page("pages/forecasting.py")
    app.run(timeout=180)
    return app


def test_the_rep_sees_their_own_forecast_with_every_method_explained():
    app = open_tab("rep", "Forecast")

    assert not app.exception
    shown = visible_text(app)
    assert "Forecasts" in shown and "Why this number" in shown
    assert {"Won so far", "Commit", "Weighted pipeline", "Statistical baseline"} <= {m.label for m in app.metric}
    assert [box.label for box in app.selectbox] == ["Period", "Explain"]  # no scope picker: only their own
    assert "None" not in shown and not any(name in shown for name in OTHER_REPS)
    assert app.button(key=f"FormSubmitter:fc_call_{VIEW}-Submit call")
    # The waterfall is drawn with Vega-Lite: no Plotly chart on the first view (Plotly costs the browser twice).
    assert not app.get("plotly_chart")
    spec = next(chart.proto.spec for chart in app.get("vega_lite_chart")).replace(" ", "")
    assert '"type":"bar"' in spec and "Weightedpipeline" in spec


def test_the_reps_deals_are_their_own_with_the_category_and_where_it_comes_from():
    app = open_tab("rep", "My deals")

    assert not app.exception
    table = app.dataframe[0].value
    assert {"Deal", "Category", "Why this category"} <= set(table.columns) and "Owner" not in table.columns
    assert set(table["Why this category"]) <= {"won", "stage's default", "chosen"} | {
        f"chosen; stage says {c}" for c in ("Pipeline", "Best Case", "Commit", "Omitted")}


def test_the_reps_accuracy_shows_their_own_calls_only():
    app = open_tab("rep", "My accuracy")

    assert not app.exception
    shown = visible_text(app)
    assert "Error by method" in shown and not any(name in shown for name in OTHER_REPS)


def test_a_rep_submitting_a_call_sees_it_and_the_manager_is_told():
    app = open_tab("rep", "Forecast")
    app.number_input(key=f"fc_call_amount_{VIEW}").set_value(250000.0)
    app.text_area(key=f"fc_call_note_{VIEW}").set_value("Renewal **signed**")
    try:
        app.button(key=f"FormSubmitter:fc_call_{VIEW}-Submit call").click().run(timeout=180)

        assert not app.exception
        shown = visible_text(app)
        assert "is submitted" in shown and "$250,000" in shown and "Renewal \\*\\*signed\\*\\*" in shown
    finally:
        with session_scope(Database.FORECASTING, admin=True) as fc:
            ids = [row[0] for row in fc.execute(text(
                "SELECT snapshot_id FROM forecasts WHERE note = 'Renewal **signed**'"))]
            fc.execute(text("DELETE FROM forecast_factors WHERE forecast_id IN (SELECT id FROM forecasts "
                            "WHERE snapshot_id = ANY(:ids))"), {"ids": ids})
            fc.execute(delete(Forecast).where(Forecast.snapshot_id.in_(ids)))
            fc.execute(delete(ForecastSnapshot).where(ForecastSnapshot.id.in_(ids)))


def test_the_manager_sees_the_team_roll_up_by_person():
    app = open_tab("manager", "Team")

    assert not app.exception
    table = app.dataframe[0].value
    assert {"Person", "Call", "Adjusted call", "Weighted", "Baseline", "Quota", "Coverage"} <= set(table.columns)
    assert set(OTHER_REPS) <= set(table["Person"]) and "None" not in table.to_csv()


def test_the_manager_sees_what_changed_since_a_snapshot_reconciled_to_zero():
    app = open_tab("manager", "What changed")

    assert not app.exception
    shown = visible_text(app)
    assert "residual $0" in shown and "From" in [box.label for box in app.selectbox]


def test_the_manager_sees_accuracy_and_whose_calls_to_trust():
    app = open_tab("manager", "Accuracy")

    assert not app.exception
    shown = visible_text(app)
    assert "Whose calls to trust" in shown and "Seasonal naive" in shown


def test_a_marketer_cannot_open_forecasts():
    marketer = principal_for("marketer")
    assert "forecasts" not in [page.url_path for page in navigation.allowed_pages(marketer)]
    app = AppTest.from_file(str(PROJECT_ROOT / "pages" / "forecasting.py"), default_timeout=60)
    app.session_state["principal"] = marketer
    app.run()

    assert not app.exception
    assert "do not have access" in visible_text(app) and not app.metric
