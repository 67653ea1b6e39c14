"""Deep links to a commission statement: other pages (a notification about a statement, the assistant) link to
it rather than print its period, and the Commissions page opens it (docs/architecture.md, "Deep links").

    /commissions?period=2026-Q3            your own statement of 2026-Q3
    /commissions?period=2026-Q3&user=10    user 10's statement of 2026-Q3 (the Team tab, for those who read
                                           every rep's figures; your own tab when 10 is you)
"""

from __future__ import annotations

import streamlit as st

from nexus360.ui.navigation import PAGES_DIR

COMMISSIONS_PAGE = str(PAGES_DIR / "compensation.py")
TAB_KEY = "commissions_tab"  # the tab bar's key and query parameter (the page-bench convention: <url_path>_tab)


def statement_params(period: str, user_id: int | None = None) -> dict[str, str]:
    """The query parameters of a statement: its period's code ('2026-Q3', '2026-07') and whose it is."""
    return {"period": period, **({"user": str(int(user_id))} if user_id is not None else {})}


def statement_url(period: str, user_id: int | None = None) -> str:
    """The address of a statement, relative to the app (for a message or a table's link column)."""
    return "/commissions?" + "&".join(f"{key}={value}" for key, value in statement_params(period, user_id).items())


def link_to_statement(label: str, period: str, user_id: int | None = None) -> None:
    """A link that opens the statement on the Commissions page (`label` is ours, not user text)."""
    st.page_link(COMMISSIONS_PAGE, label=label, icon=":material/receipt_long:",
                 query_params=statement_params(period, user_id))


def linked_statement() -> tuple[str, str | None] | None:
    """The (period, user) the address asks to open, if it names a period."""
    period = st.query_params.get("period")
    return (period, st.query_params.get("user")) if period else None
