"""No leak between users, on any page: each role (and two reps of one team) walks every page and tab it may
open, the two reps interleaved in one process (one server's caches); nothing one rep sees names the other rep's
commission, forecast call, notification or conversation, which are planted with unique markers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, insert, select
from streamlit.testing.v1 import AppTest

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.chat.models import Conversation, Message
from nexus360.common.periods import quarter_of, today_utc
from nexus360.db import Database, session_scope
from nexus360.db.engine import get_engine
from nexus360.forecasting import flows as forecasting
from nexus360.forecasting.models import Forecast, ForecastFactor
from nexus360.notifications.models import Notification
from nexus360.ui.navigation import PAGES, PageSpec, allowed_pages
from tests.pages.apptest import HOME, principal_for

pytestmark = pytest.mark.usefixtures("seeded")
REP_B_EMAIL = "rafael.costa@nexus360.example.com"  # Emily Chen's (`rep`) teammate under Daniel Okafor
# A rep's tabs and a manager's (a name the user has not falls back to the first tab).
FORECAST_TABS = ("Forecast", "Team", "Deals", "My deals", "What changed", "Accuracy", "My accuracy")
PLANTED = ((Notification, Notification.id, Database.NOTIFICATIONS), (Forecast, Forecast.id, Database.FORECASTING),
           (Conversation, Conversation.id, Database.CHAT))


def visible_text(app: AppTest) -> str:
    """Everything a person can read on the page: text, figures, tables, and the choices of every widget."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title", "header", "subheader",
                 "text", "code", "json", "exception"):
        parts += [str(element.value) for element in getattr(app, kind)]
    parts += [f"{metric.label} {metric.value} {metric.delta or ''}" for metric in app.metric]
    parts += [frame.value.to_csv() for frame in app.dataframe] + [str(table.value) for table in app.table]
    for kind in ("selectbox", "multiselect", "radio"):
        for widget in getattr(app, kind):
            parts += [str(widget.label), *(str(option) for option in widget.options)]
    parts += [str(element.label) for kind in ("button", "checkbox", "text_input", "expander", "tabs")
              for element in getattr(app, kind)]
    return "\n".join(parts)


def open_page(principal: Principal, spec: PageSpec, tab: str | None = None) -> AppTest:
    app = AppTest.from_file(HOME, default_timeout=180)
    app.session_state["principal"] = principal
    if tab:
        app.session_state["fc_tab"] = tab
    app.run()
    if spec.url_path != "home":
        app.switch_page(f"pages/{spec.script}")
        app.run()
    assert not app.exception, f"{spec.title} failed for {principal.email}: {app.exception[0].value}"
    return app


def walk(principal: Principal) -> Iterator[tuple[str, str]]:
    """(where, what it showed) for every page and forecast tab the user may open, one run at a time."""
    for spec in allowed_pages(principal):
        tabs = FORECAST_TABS if spec.url_path == "forecasts" else (None,)
        for tab in tabs:
            yield f"{spec.title}{f' / {tab}' if tab else ''}", visible_text(open_page(principal, spec, tab))


@pytest.fixture
def planted() -> Iterator[dict[str, str]]:
    """A notification, a conversation (and its message) and a forecast call of rep B, each naming a marker."""
    marker = f"LEAKCHECK{uuid.uuid4().hex[:10]}"
    rep_b = principal_for_email(REP_B_EMAIL)
    engines = {model: get_engine(database, admin=True) for model, _, database in PLANTED}
    first_new = {model: _next_id(engines[model], column) for model, column, _ in PLANTED}
    with engines[Notification].begin() as connection:
        connection.execute(insert(Notification).values(user_id=rep_b.id, type="system",
                                                       title=f"{marker} notification", message=f"{marker} body"))
    with engines[Conversation].begin() as connection:
        conversation = connection.execute(insert(Conversation).values(
            user_id=rep_b.id, title=f"{marker} conversation").returning(Conversation.id)).scalar_one()
        connection.execute(insert(Message).values(conversation_id=conversation, role="user",
                                                  content=f"{marker} question"))
    forecasting.submit_call(rep_b, period=quarter_of(today_utc()).code, amount="123457", note=f"{marker} call")
    try:
        yield {"marker": marker, "rep_b": rep_b.email}
    finally:
        with engines[Conversation].begin() as connection:
            connection.execute(delete(Message).where(Message.conversation_id >= first_new[Conversation]))
        with engines[Forecast].begin() as connection:
            connection.execute(delete(ForecastFactor).where(ForecastFactor.forecast_id >= first_new[Forecast]))
        for model, column, _ in PLANTED:  # everything written since, the flow's notifications to the manager too
            with engines[model].begin() as connection:
                connection.execute(delete(model).where(column >= first_new[model]))


def principal_for_email(email: str) -> Principal:
    with session_scope(Database.AUTH) as session:
        return auth_service.get_principal_by_email(session, email)


def _next_id(engine, column) -> int:
    with engine.connect() as connection:
        return (connection.scalar(select(func.max(column))) or 0) + 1


def test_two_reps_interleaved_see_only_their_own(planted) -> None:
    rep_a, rep_b = principal_for("rep"), principal_for_email(planted["rep_b"])
    marker = planted["marker"]
    walk_a, walk_b = walk(rep_a), walk(rep_b)
    seen_by_b = ""
    for (where_a, text_a), (_where_b, text_b) in zip(walk_a, walk_b, strict=True):  # same role: same pages
        assert marker not in text_a, f"rep A saw rep B's planted data on {where_a}"
        if where_a.startswith(("Commissions", "Forecasts", "Notifications", "Assistant")):
            assert "Rafael Costa" not in text_a, f"rep A saw rep B's name on {where_a}"
        seen_by_b += text_b
    for what in ("notification", "conversation"):  # the walk did reach the planted rows: B sees its own
        assert f"{marker} {what}" in seen_by_b


@pytest.mark.parametrize("username", ["admin", "manager", "marketer"])
def test_every_role_walks_every_page_without_seeing_a_reps_private_rows(planted, username) -> None:
    principal = principal_for(username)
    assert {spec.url_path for spec in allowed_pages(principal)} <= {spec.url_path for spec in PAGES}
    for where, text in walk(principal):
        assert f"{planted['marker']} notification" not in text, f"{username} saw rep B's notification on {where}"
        assert f"{planted['marker']} conversation" not in text, f"{username} saw rep B's conversation on {where}"
        assert f"{planted['marker']} question" not in text, f"{username} saw rep B's question on {where}"
