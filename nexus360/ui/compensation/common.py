"""Shared pieces of the Commissions page: status words, period labels, names, and running flows from forms."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypeVar

import streamlit as st

from nexus360.auth.users import service as users
from nexus360.common.periods import Period
from nexus360.db import Database
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import cached

T = TypeVar("T")
COMP = Database.COMPENSATION
STATUS_WORDS = {
    "draft": "Draft",
    "pending_approval": "Awaiting approval",
    "approved": "Approved",
    "paid": "Paid",
}
STATUS_ICONS = {
    "draft": ":material/edit_note:",
    "pending_approval": ":material/hourglass_top:",
    "approved": ":material/verified:",
    "paid": ":material/paid:",
}
MONEY = st.column_config.NumberColumn(format="dollar")


def status_word(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", (status or "–").replace("_", " ").capitalize())


def label(start: date, end: date) -> str:
    """'2026-Q3' or '2026-07' as the periods are typed in the run form."""
    return Period(start, end).code


def names(user_ids: Iterable[int]) -> dict[int, str]:
    """Display names of users (cached: names rarely change and every rerun needs them)."""
    ids = tuple(sorted({int(user_id) for user_id in user_ids if user_id is not None}))
    return cached(Database.AUTH, users.get_user_names, user_ids=ids) if ids else {}


def changed(message: str) -> None:
    """After a write: forget cached figures, say what happened (plain text: names are user-written,
    so it is escaped when shown), and draw the page again."""
    st.cache_data.clear()
    st.session_state["commissions_flash"] = message
    st.rerun()


def show_flash() -> None:
    """The message of the last write, shown once after the rerun it caused."""
    message = st.session_state.pop("commissions_flash", None)
    if message:
        st.success(escape_markdown(message), icon=":material/check_circle:")
