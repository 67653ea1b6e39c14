"""The marketer's Home: this month's leads by campaign and status, and what a lead costs.

Counts come from marketing.leads.service (leads created this month, UTC); cost per lead from the ROI report
(marketing.flows.roi_report) for the same days, so Home and the Campaigns & Leads page's ROI tab agree.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from nexus360.common.money import money_exact
from nexus360.common.periods import month_of
from nexus360.db import Database
from nexus360.marketing import flows
from nexus360.marketing.leads import service as lead_service
from nexus360.marketing.schemas import RoiFilters
from nexus360.ui import charts
from nexus360.ui.home.tiles import note_tile, unread_tile
from nexus360.ui.navigation import PAGES_DIR
from nexus360.ui.session import cached, cached_flow

QUALIFIED = ("qualified", "converted")  # leads that reached qualified


def marketing_home(today: date) -> None:
    start = month_of(today).start
    by_status = cached(Database.MARKETING, lead_service.count_leads_by_campaign_and_status, shared=True,
                       date_from=start, date_to=today)
    new_leads = cached(Database.MARKETING, lead_service.count_new_leads_this_month, shared=True, today=today)
    report = cached_flow(flows.roi_report, databases=(Database.MARKETING, Database.CRM),
                         filters=RoiFilters(date_from=start, date_to=today))
    counts = by_status.groupby("status")["leads"].sum()
    since = f"since 1 {today:%b}"
    columns = st.columns(5)
    note_tile(columns[0], "New leads", f"{new_leads:,}", since)
    note_tile(columns[1], "Qualified", f"{int(counts.reindex(QUALIFIED).fillna(0).sum()):,}",
              "of this month's leads", help="Leads created this month that are qualified or converted")
    note_tile(columns[2], "Converted", f"{int(counts.get('converted', 0)):,}", "handed to sales",
              help="Leads created this month that became CRM contacts (and deals)")
    note_tile(columns[3], "Cost per lead", money_exact(report.totals.cost_per_lead), "this month's campaigns",
              help="The budgets of campaigns running this month ÷ their leads created this month "
                   "(as the ROI tab counts them)")
    unread_tile(columns[4])
    left, right = st.columns(2)
    with left:
        st.subheader("Leads this month by campaign")
        if by_status.empty:
            st.info("No leads yet this month. Import leads or add them on the Campaigns & Leads page.")
        else:
            st.plotly_chart(charts.cached_figure("leads_by_campaign", by_status), width="stretch",
                            key="leads_by_campaign", config=charts.PLOTLY_CONFIG)
    with right:
        st.subheader("What a lead costs")
        _costs(report)
    st.page_link(str(PAGES_DIR / "marketing.py"), label="Campaigns & Leads", icon=":material/campaign:")


def _costs(report) -> None:
    rows = [row for row in report.campaigns if row.campaign_id is not None and row.leads]
    if not rows:
        st.info("No campaign brought leads this month yet.")
        return
    shown = pd.DataFrame({
        "Campaign": [row.name for row in rows],
        "Leads": [row.leads for row in rows],
        "Budget": [money_exact(row.budget) for row in rows],
        "Cost per lead": [money_exact(row.cost_per_lead) for row in rows],
    })
    st.dataframe(shown, hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 390),
                 column_config={"Campaign": st.column_config.TextColumn(width="medium")})
