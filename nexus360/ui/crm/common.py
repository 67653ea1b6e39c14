"""What the CRM tabs share: rerunning the open tab after a save, and a toast that survives that rerun."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NoReturn

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from nexus360.common.money import DASH
from nexus360.common.periods import today_utc

_TOASTS = "crm_toasts"


def toast_next(markdown: str) -> None:
    """Show `markdown` (user text in it already through `literal()`) as a toast on the next run of the tab."""
    st.session_state.setdefault(_TOASTS, []).append(markdown)


def show_toasts() -> None:
    for markdown in st.session_state.pop(_TOASTS, []):
        st.toast(markdown, icon=":material/check_circle:")


def rerun_tab() -> NoReturn:
    """Draw the open tab again after a write, so that lists, headings and histories show the saved values.

    The tab is a fragment: when it is rerunning alone (a widget of the tab was used), only it reruns;
    when the whole page is running, the whole page does."""
    try:
        st.rerun(scope="fragment")
    except StreamlitAPIException:
        st.rerun()


def form_key(base: str) -> str:
    """The key of form `base` in its current round: a new round after a create draws it empty."""
    return f"{base}_{st.session_state.get(f'{base}_round', 0)}"


def clear_form(base: str) -> None:
    st.session_state[f"{base}_round"] = st.session_state.get(f"{base}_round", 0) + 1


def lazy_expander(label: str, key: str, **options):
    """An expander whose content is computed only while it is open (None while closed)."""
    expander = st.expander(label, key=key, on_change="rerun", **options)
    return expander if expander.open else None


def day(value: date | None) -> str:
    """A date as people read it ('3 Oct 2026'), '–' when there is none."""
    return DASH if value is None or pd.isna(value) else f"{value.day} {value:%b %Y}"


def closes(close_date: date | None) -> str:
    """An open deal's close date as a caption reads it, flagged when it has passed ('slipped')."""
    if close_date is None or pd.isna(close_date):
        return "no close date"
    if close_date < today_utc():
        return f":orange[:material/schedule: was due {day(close_date)}]"
    return f"closes {day(close_date)}"


def text_cells(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Empty text cells read '–', never 'None'."""
    return frame.assign(**{column: frame[column].fillna(DASH).replace("", DASH) for column in columns})


MAX_MONEY = 9_999_999_999_999.99  # what a NUMERIC(15, 2) column (deals.amount, companies.annual_revenue) holds


def money_input(label: str, value: Decimal | float | None, *, step: float):
    """A money field of a form, its range stated in its help.

    No min/max on the widget itself: in a form, the browser refuses to send a value out of range without a word
    to the server, so the message of the previous press (say "Title is required") stayed on screen while the
    person now failed on the amount. Without bounds every press reaches the check, which names each field that
    fails now ("Amount must not be negative.")."""
    return st.number_input(label, value=float(value or 0), step=step, format="%.2f",
                           help=f"In dollars and cents, from 0 to {MAX_MONEY:,.2f}.")


def as_cents(amount: float | None) -> Decimal | None:
    """The amount the field shows (it shows cents, so 12345.678 reads 12345.68): what the person saw is saved."""
    return None if amount is None else Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
