"""The period's deals by forecast category, one page at a time, and setting a deal's category."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.periods import parse_period
from nexus360.crm.forecast import service as crm_forecast
from nexus360.crm.forecast.schemas import CATEGORY_LABELS, CHOOSABLE
from nexus360.db import Database
from nexus360.forecasting import service
from nexus360.ui.charts import PLOTLY_CONFIG
from nexus360.ui.forecasting import charts
from nexus360.ui.forecasting.common import MONEY, changed
from nexus360.ui.session import FAILED, cached, submit

FOLLOW = "stage"


@st.fragment
def deals_tab(principal: Principal, *, period: str, owners: tuple[int, ...] | None, editable: bool,
              categories: dict) -> None:
    """Where the period's deals stand by category, then the deals (50 at a time, largest first), set a category."""
    dates = parse_period(period)
    if any(categories.values()):
        st.plotly_chart(charts.categories(categories), width="stretch", config=PLOTLY_CONFIG)
    choices = {None: "All but lost", **CATEGORY_LABELS}
    category = st.segmented_control("Category", list(choices), format_func=choices.get, key="fc_deals_cat",
                                    default=None)
    after = st.session_state.get("fc_deals_after")
    page = cached(Database.CRM, crm_forecast.list_category_deals, start=dates.start, end=dates.end,
                  owner_ids=owners, category=category, after=after)
    frame = page.rows
    if frame.empty:
        st.info("No deals close in this period" + (" in this category." if category else ".")
                + " Deals count in the period their close date falls in.", icon=":material/inbox:")
        return
    owner_ids = tuple(sorted(int(owner) for owner in set(frame["owner_id"])))
    names = cached(Database.AUTH, service.user_names, user_ids=owner_ids) if owners != (principal.id,) else {}
    table = pd.DataFrame({
        "Deal": frame["title"], "Company": frame["company"], "Stage": frame["stage"],
        "Amount": frame["amount"].astype(float), "Close date": frame["close_date"],
        "Category": frame["category"].map(CATEGORY_LABELS),
        "Why this category": [_note(row) for row in frame.itertuples()],
    })
    if names:
        table.insert(1, "Owner", frame["owner_id"].map(lambda owner: names.get(owner, "Unknown user")))
    st.dataframe(table, hide_index=True, width="stretch", column_config={"Amount": MONEY})
    left, right = st.columns(2)
    if after and left.button("First page", icon=":material/first_page:"):
        st.session_state.pop("fc_deals_after", None)
        st.rerun(scope="fragment")
    if page.next_after and right.button("Next 50", icon=":material/navigate_next:"):
        st.session_state["fc_deals_after"] = page.next_after
        st.rerun(scope="fragment")
    if editable:
        _set_category(frame)


def _note(row) -> str:
    if not row.is_open:
        return "won" if row.category == "closed" else "lost"
    if row.chosen is None:
        return "stage's default"
    if row.chosen != row.stage_category:
        return f"chosen; stage says {CATEGORY_LABELS[row.stage_category]}"
    return "chosen"


def _set_category(frame: pd.DataFrame) -> None:
    open_deals = frame[frame["is_open"]]
    if open_deals.empty:
        return
    with st.form("fc_category", border=True):
        st.markdown("**Set a deal's forecast category**")
        titles = dict(zip(open_deals["id"], open_deals["title"] + " · " + open_deals["company"], strict=True))
        deal_id = st.selectbox("Deal", list(titles), format_func=titles.get, key="fc_category_deal")
        options = {FOLLOW: "Follow its stage", **{c: CATEGORY_LABELS[c] for c in CHOOSABLE}}
        choice = st.radio("Category", list(options), format_func=options.get, horizontal=True,
                          key="fc_category_choice",
                          help="Your choice stays when the stage changes; won deals count as Closed, lost ones "
                               "as Omitted.")
        saved = st.form_submit_button("Save category", type="primary")
    if saved:
        result = submit(Database.CRM, crm_forecast.set_deal_category, deal_id=int(deal_id),
                        category=None if choice == FOLLOW else choice)
        if result is not FAILED:
            changed(f"'{titles[deal_id]}' is now {CATEGORY_LABELS[result.category]}.")
