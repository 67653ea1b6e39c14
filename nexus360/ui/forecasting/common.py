"""Shared pieces of the Forecasts page: the period and scope pickers, money columns, writes and their message."""

from __future__ import annotations

import uuid
from datetime import timedelta

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money
from nexus360.common.periods import Period, month_of, previous_month, previous_quarter, quarter_of, today_utc
from nexus360.db import Database
from nexus360.forecasting import service
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import cached

MONEY = st.column_config.NumberColumn(format="dollar")
FLASH = "forecasts_flash"
# What the forecast flows read: a write to any of them makes the page's cached figures fresh.
READS = (Database.AUTH, Database.CRM, Database.COMPENSATION, Database.FORECASTING)
PERIOD_KEY, SCOPE_KEY = "fc_period", "fc_scope"


def period_choices() -> dict[str, str]:
    """code -> label: this, next and last quarter, then this, next and last month."""
    quarter, month = quarter_of(today_utc()), month_of(today_utc())
    next_quarter, next_month = quarter_of(quarter.end + timedelta(days=1)), month_of(month.end + timedelta(days=1))
    periods: list[tuple[Period, str]] = [
        (quarter, "this quarter"), (next_quarter, "next quarter"), (previous_quarter(quarter), "last quarter"),
        (month, "this month"), (next_month, "next month"), (previous_month(month), "last month"),
    ]
    return {period.code: f"{period.label} ({when})" for period, when in periods}


def pick_period_and_scope(principal: Principal) -> tuple[str, str, dict[str, str]]:
    """The period and scope pickers (the scope only for those who see more than their own forecast)."""
    choices = period_choices()
    scopes = dict(cached(Database.AUTH, service.list_scopes))
    default_scope = service.default_scope(principal).code
    if st.session_state.get(SCOPE_KEY) not in scopes:
        st.session_state[SCOPE_KEY] = default_scope if default_scope in scopes else next(iter(scopes))
    if st.session_state.get(PERIOD_KEY) not in choices:
        st.session_state[PERIOD_KEY] = next(iter(choices))
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    period = left.selectbox("Period", list(choices), format_func=choices.get, key=PERIOD_KEY)
    if len(scopes) > 1:
        scope = right.selectbox("Forecast of", list(scopes), format_func=scopes.get, key=SCOPE_KEY,
                                help="The company, a manager's team (everyone under them) or one person.")
    else:
        scope = next(iter(scopes))
    return period, scope, scopes


def request_key(name: str) -> str:
    """A key per form instance, so a submission retried (a double click, a reload) is saved once."""
    key = f"fc_request_{name}"
    if key not in st.session_state:
        st.session_state[key] = uuid.uuid4().hex
    return st.session_state[key]


def changed(message: str, *, form: str | None = None) -> None:
    """After a write: forget cached figures, a fresh request key for the form, say what happened, rerun."""
    st.cache_data.clear()
    if form:
        st.session_state.pop(f"fc_request_{form}", None)
    st.session_state[FLASH] = message
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(escape_markdown(message), icon=":material/check_circle:")


def amount(value) -> str:
    return money(value)


def when(moment) -> str:
    return f"{moment:%d %b %Y, %H:%M} UTC" if moment else "–"
