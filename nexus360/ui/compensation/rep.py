"""The rep's own commission: this period and the year so far, the statement of a chosen period, history and
a what-if on open deals. Everything here is read as the signed-in user, so it only ever shows their rows.
"""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money, percent
from nexus360.common.periods import today_utc
from nexus360.compensation import flows
from nexus360.compensation.schemas import DealChoice, EarningsOverview, WhatIf
from nexus360.compensation.summaries import service as summaries
from nexus360.db import Database
from nexus360.ui.compensation import charts
from nexus360.ui.compensation.common import COMP, deal_titles, show_flash, status_word
from nexus360.ui.compensation.statement import line_frame, lines_table, statement_panel
from nexus360.ui.formatting import literal
from nexus360.ui.session import cached, cached_flow

PERIOD_KEY = "mine_period"  # the chosen period's code (a deep link sets it)
WHAT_IF_KEY = "mine_whatif_open"
WHAT_IF_READS = (Database.COMPENSATION, Database.CRM, Database.AUTH)


@st.fragment
def rep_tab(principal: Principal) -> None:
    """KPI cards, the chosen period's statement, the history chart and the what-if, for the signed-in user.
    A fragment: choosing another period or deals reruns this tab alone."""
    show_flash()
    overview = cached(COMP, summaries.earnings_overview, user_id=principal.id, today=today_utc())
    history = cached(COMP, summaries.my_history, limit=12)
    kpi_cards(overview)
    if not history:
        st.info("You have no commission statements yet. They appear here once your manager runs a period "
                "in which you won deals; the Rules tab says what each rule pays.", icon=":material/info:")
    else:
        st.subheader("Statement")
        by_code = {row.label: row for row in history}
        if st.session_state.get(PERIOD_KEY) not in by_code:
            st.session_state.pop(PERIOD_KEY, None)
        # Plain codes: a keyed select box keeps showing an option's old wording when it changes.
        chosen = st.selectbox("Period", list(by_code), key=PERIOD_KEY,
                              help="Your statements of the last twelve periods, newest first.")
        row = by_code[chosen]
        statement_panel(principal, user_id=principal.id, period_start=row.period_start, period_end=row.period_end,
                        key="mine_statement")
        st.subheader("My commission by period")
        st.altair_chart(charts.figure("my_history", history), width="stretch",
                        key="mine_history_chart")
    what_if_box = st.expander("What if my open deals close?", icon=":material/calculate:", key=WHAT_IF_KEY,
                              on_change="rerun")
    if what_if_box.open:
        with what_if_box:
            what_if(principal, key="mine_whatif")


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
    """Pick open deals (those expected to close first); see what closing them today would add this quarter,
    line by line. Computed only while its expander is open."""
    deals = cached_flow(flows.open_deals_for, databases=(Database.CRM,), user_id=principal.id)
    if not deals:
        st.caption("You have no open deals with an amount to try. Deals you add on the CRM page appear here.")
        return
    if len(deals) >= flows.WHAT_IF_CHOICES:
        st.caption(f"Your {len(deals):,} open deals expected to close first are offered here.")
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
    result = cached_flow(flows.what_if, databases=WHAT_IF_READS, user_id=principal.id, deal_ids=tuple(chosen),
                         today=today_utc())
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
    st.markdown("**How the projection is computed**")
    lines_table(line_frame(result.lines, deal_titles(line.deal_id for line in result.lines)))


def _what_if_sentence(result: WhatIf) -> str:
    parts = [f"If these close today, you earn **{literal(money(result.difference))}** more: "
             f"**{literal(money(result.projected_commission))}** in total for {result.period}"]
    if result.tier_reached:
        parts.append(f"you reach {literal(result.tier_reached)}")
    if result.projected_attainment is not None:
        parts.append(f"attainment {percent(result.projected_attainment)}")
    return ", ".join(parts) + "."
