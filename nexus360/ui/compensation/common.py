"""Shared pieces of the Commissions page: status words, period labels, names, deal titles, and the message
that a write leaves for the next run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import streamlit as st

from nexus360.auth.users import service as users
from nexus360.common.periods import Period
from nexus360.compensation import engine
from nexus360.crm.deals import service as deal_service
from nexus360.db import Database
from nexus360.ui.formatting import literal
from nexus360.ui.session import cached, current_principal

COMP = Database.COMPENSATION
FLASH_KEY = "commissions_flash"
UNKNOWN_USER = "a user no longer on file"
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


def deal_titles(deal_ids: Iterable[int | None]) -> dict[int, str]:
    """Titles of deals from the CRM (cached; statements and what-ifs hold only deal ids). Without crm.read
    there are none (the lines then say the deal is not in the CRM), rather than a refusal of the page."""
    ids = tuple(sorted({int(deal_id) for deal_id in deal_ids if deal_id is not None}))
    if not ids or not current_principal().has("crm.read"):
        return {}
    return cached(Database.CRM, deal_service.get_deal_titles, deal_ids=ids)


def deal_name(deal_id: int | None, titles: dict[int, str]) -> str:
    """A deal's title ('' for a line without a deal); never a raw id."""
    if deal_id is None:
        return ""
    return titles.get(deal_id) or engine.with_deal_names(f"deal #{deal_id}", {})


def changed(message: str) -> None:
    """After a write: say what happened on the next run (plain text: names are user-written, so it is shown
    literally) and draw the whole page again. Reads are cached by data generation, so they are fresh."""
    st.session_state[FLASH_KEY] = message
    st.rerun()


def show_flash() -> None:
    """The message of the last write, shown once at the top of the tab (each tab's fragment calls this first,
    so the next use of the tab clears it), in a slot that exists on every run: the elements after it keep
    their place whether a message shows or not, so a popover or form below stays the same element (open,
    with its message) on the run after the message is gone (issue 13, item 3)."""
    slot = st.container()
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        slot.success(literal(message), icon=":material/check_circle:")
