"""The rep's own commission: this period and the year so far, the statement of a chosen period, history and
a what-if on open deals. Everything here is read as the signed-in user, so it only ever shows their rows.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money, percent
from nexus360.common.periods import today_utc
from nexus360.compensation import flows
from nexus360.compensation.schemas import DealChoice, EarningsOverview, WhatIf
from nexus360.compensation.summaries import service as summaries
from nexus360.crm.deals import service as deal_service
from nexus360.db import Database
from nexus360.ui.charts import PLOTLY_CONFIG
from nexus360.ui.compensation import charts
from nexus360.ui.compensation.common import COMP, MONEY, status_word
from nexus360.ui.compensation.statement import statement_panel
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import FAILED, cached, call, submit_flow


def rep_view(principal: Principal, *, key: str = "mine") -> None:
    """KPI cards, the chosen period's statement, the history chart and the what-if, for the signed-in rep."""
    overview = call(COMP, summaries.earnings_overview, user_id=principal.id, today=today_utc())
    history = call(COMP, summaries.my_history, limit=12)
    kpi_cards(overview)
    if not history:
        st.info("You have no commission statements yet. They appear here once a period is run.")
    else:
        st.subheader("Statement")
        by_label = {row.label: row for row in history}
        chosen = st.selectbox(
            "Period", list(by_label), key=f"{key}_period",
            format_func=lambda text: f"{text} · {status_word(by_label[text].status)}",
        )
        row = by_label[chosen]
        statement_panel(principal, user_id=principal.id, period_start=row.period_start, period_end=row.period_end,
                        key=f"{key}_statement")
        st.subheader("My commission by period")
        st.plotly_chart(charts.my_history(history), width="stretch", config=PLOTLY_CONFIG,
                        key=f"{key}_history_chart")
    st.subheader("What if my open deals close?")
    what_if(principal, key=f"{key}_whatif")


def kpi_cards(overview: EarningsOverview) -> None:
    current = overview.current
    cells = st.columns(3)
    if current is None:
        cells[0].metric("Latest period", money(0), "no statement yet", delta_color="off", delta_arrow="off",
                        border=True, height="stretch")
    else:
        cells[0].metric(f"Commission {current.label}", money(current.commission), status_word(current.status),
                        delta_color="off", delta_arrow="off", border=True, height="stretch",
                        help=f"On {money(current.revenue)} of won revenue")
    cells[1].metric("Commission this year", money(overview.ytd_commission),
                    f"on {money(overview.ytd_revenue)} revenue", delta_color="off", delta_arrow="off",
                    border=True, height="stretch")
    with cells[2].container(border=True, height="stretch"):
        attainment = current.attainment if current is not None else None
        st.metric("Attainment", percent(attainment),
                  f"of {money(current.quota)} quota" if current is not None and current.quota else "no quota set",
                  delta_color="off", delta_arrow="off")
        if attainment is not None:
            st.progress(min(max(float(attainment), 0.0), 1.0))


def what_if(principal: Principal, *, key: str) -> None:
    """Pick open deals; see what closing them today would add this quarter, line by line."""
    deals = submit_flow(flows.open_deals_for, user_id=principal.id)
    if deals is FAILED:
        return
    if not deals:
        st.caption("You have no open deals with an amount to try.")
        return
    by_id: dict[int, DealChoice] = {deal.id: deal for deal in deals}

    def describe(deal_id: int) -> str:
        deal = by_id[deal_id]
        closes = f" · closes {deal.expected_close_date:%d %b}" if deal.expected_close_date else ""
        return f"{deal.name} · {money(deal.amount)}{closes}"

    chosen = st.multiselect("Open deals", list(by_id), format_func=describe, key=f"{key}_deals",
                            placeholder="Choose deals you expect to win")
    if not chosen:
        st.caption("Choose one or more of your open deals to see what they would add this quarter.")
        return
    result = submit_flow(flows.what_if, user_id=principal.id, deal_ids=list(chosen))
    if result is FAILED:
        return
    st.success(_what_if_sentence(result), icon=":material/calculate:")
    cells = st.columns(4)
    cells[0].metric("You would earn", money(result.difference), "more", delta_color="off", delta_arrow="off",
                    border=True, height="stretch")
    cells[1].metric(f"Commission {result.period}", money(result.projected_commission),
                    f"now {money(result.current_commission)}", delta_color="off", delta_arrow="off", border=True,
                    height="stretch")
    cells[2].metric("Revenue", money(result.projected_revenue), f"now {money(result.current_revenue)}",
                    delta_color="off", delta_arrow="off", border=True, height="stretch")
    cells[3].metric("Attainment", percent(result.projected_attainment),
                    f"of {money(result.quota)} quota" if result.quota else "no quota set",
                    delta_color="off", delta_arrow="off", border=True, height="stretch")
    with st.expander("How the projection is computed", icon=":material/receipt_long:"):
        ids = tuple(sorted({line.deal_id for line in result.lines if line.deal_id is not None}))
        titles = cached(Database.CRM, deal_service.get_deal_titles, deal_ids=ids) if ids else {}

        def deal(deal_id: int | None) -> str:
            return "" if deal_id is None else titles.get(deal_id, f"#{deal_id}")

        frame = pd.DataFrame(
            [{"Deal": deal(line.deal_id), "Amount": float(line.amount), "Why": line.explanation}
             for line in result.lines],
            columns=["Deal", "Amount", "Why"],
        )
        st.dataframe(frame, hide_index=True, width="stretch", column_config={"Amount": MONEY})


def _what_if_sentence(result: WhatIf) -> str:
    parts = [f"If these close today, you earn **{money(result.difference)}** more: "
             f"**{money(result.projected_commission)}** in total for {result.period}"]
    if result.tier_reached:
        parts.append(f"you reach {escape_markdown(result.tier_reached)}")
    if result.projected_attainment is not None:
        parts.append(f"attainment {percent(result.projected_attainment)}")
    return ", ".join(parts) + "."
