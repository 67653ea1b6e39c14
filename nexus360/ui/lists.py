"""Server-side paginated lists: a page of rows at a time, with Previous/Next by keyset.

Previous and Next change the page in their callback, before the rerun they cause, so one rerun (of the
fragment the list is in, if any) draws the new page.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from nexus360.common.money import DASH
from nexus360.common.pagination import Page


def keyset_page(key: str, filters: tuple, fetch: Callable[[tuple | None], Page]) -> Page:
    """Fetch the current page of list `key`; changing `filters` starts again at page one."""
    state = st.session_state.setdefault(f"{key}_pager", {"filters": filters, "afters": [None]})
    if state["filters"] != filters:
        state.update(filters=filters, afters=[None])
    return fetch(state["afters"][-1])


def pager(key: str, page: Page) -> None:
    """Previous / Next buttons under a list.

    The buttons turn the page in their callbacks (which run before the rerun the click starts), so no
    st.rerun() is needed: inside a fragment, the next page reruns that fragment alone.
    """
    state = st.session_state[f"{key}_pager"]
    number = len(state["afters"])
    left, middle, right = st.columns([1, 4, 1])
    left.button("Previous", key=f"{key}_prev", disabled=number == 1, width="stretch",
                on_click=_turn, args=(key, None))
    middle.caption(f"Page {number}" + ("" if page.next_after else " · end of list"))
    right.button("Next", key=f"{key}_next", disabled=page.next_after is None, width="stretch",
                 on_click=_turn, args=(key, page.next_after))


def _turn(key: str, after: tuple | None) -> None:
    """Next page (starting `after` that key) or, with None, the previous one. A row selected in the list's
    table (`selectable_table(f"{key}_table", …)`) was a row of the page left behind: forget it."""
    st.session_state.pop(f"{key}_table", None)
    afters = st.session_state[f"{key}_pager"]["afters"]
    if after is None:
        if len(afters) > 1:
            afters.pop()
    else:
        afters.append(after)


def selectable_table(key: str, frame: pd.DataFrame, *, column_config: dict | None = None,
                     hide: tuple[str, ...] = ()) -> int | None:
    """Show rows (a missing value as "–", never "None"); return the index of the row the person selected, if any."""
    shown = frame.drop(columns=[c for c in hide if c in frame.columns])
    event = st.dataframe(
        shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key=key,
        column_config=column_config or {}, placeholder=DASH,
    )
    rows = event.selection.rows if event else []
    return rows[0] if rows else None
