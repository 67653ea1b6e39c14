"""The rep's Home: their own pipeline and wins (the CRM dashboard's figures for their deals), and the deals that
need them now, each a link that opens it on the CRM page."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money, percent
from nexus360.crm.dashboard import service as dashboard_service
from nexus360.crm.dashboard.schemas import DashboardFilters
from nexus360.db import Database
from nexus360.ui import charts
from nexus360.ui.crm import dashboard, links
from nexus360.ui.formatting import literal
from nexus360.ui.home.sales import won_tile
from nexus360.ui.home.tiles import note_tile, unread_tile
from nexus360.ui.session import cached

NEEDING_YOU = 8


def rep_home(principal: Principal, today: date) -> None:
    mine = (principal.id,)
    quarter = replace(DashboardFilters.this_quarter(today), owner_ids=mine)
    kpis = dashboard.kpis(quarter, today)
    year = dashboard.kpis(replace(DashboardFilters.last_12_months(today), owner_ids=mine), today)
    columns = st.columns(5)
    note_tile(columns[0], "My open pipeline", money(kpis.open_pipeline), f"{kpis.open_deals:,} open deals")
    won_tile(columns[1], kpis.current, kpis.previous, today, label="My wins in")
    note_tile(columns[2], "My win rate", percent(year.current.win_rate), "last 12 months",
              help="Your won deals ÷ (won + lost) closed in the last twelve months")
    note_tile(columns[3], "My overdue deals", f"{kpis.overdue_deals:,}", "close date passed")
    unread_tile(columns[4])
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Deals that need you")
        _needing_you(quarter, today)
    with right:
        st.subheader("My pipeline by stage")
        stages = dashboard.funnel(quarter, today)
        if stages["deals"].sum() == 0:
            st.info("You have no open deals. Create one on the CRM page's Deals tab.")
        else:
            st.plotly_chart(charts.cached_figure("pipeline_by_stage", stages), width="stretch",
                            key="my_pipeline_by_stage", config=charts.PLOTLY_CONFIG)
    st.page_link(links.CRM_PAGE, label="All my deals", icon=":material/handshake:",
                 query_params={links.TAB_KEY: links.DEALS})


def _needing_you(filters: DashboardFilters, today: date) -> None:
    medians = cached(Database.CRM, dashboard_service.get_stage_medians, shared=True, today=today)
    risky = cached(Database.CRM, dashboard_service.list_deals_at_risk, shared=True, filters=filters, today=today,
                   limit=NEEDING_YOU, stage_medians=medians)
    if risky.empty:
        st.success("None of your open deals is overdue or stuck in its stage.")
        return
    for deal in risky.itertuples():
        with st.container(border=True):
            links.link_to_deal(deal.title, int(deal.deal_id))
            st.caption(f"{literal(deal.company)} · {money(deal.amount)} · {literal(deal.reason)}")  # names the stage
