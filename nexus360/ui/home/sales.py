"""The sales Home (managers, admins): the CRM dashboard's own figures for the whole company.

Home's "Won in Qn" is the dashboard's "Won" for This quarter and Everyone, compared the same way (the same
number of days into the previous quarter: crm.dashboard.schemas.previous_period), so the two never disagree.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from nexus360.common.money import change, money, percent
from nexus360.common.periods import quarter_of
from nexus360.crm.dashboard import service as dashboard_service
from nexus360.crm.dashboard.schemas import DashboardFilters, PeriodFigures
from nexus360.db import Database
from nexus360.marketing.leads import service as lead_service
from nexus360.ui import charts
from nexus360.ui.crm import dashboard
from nexus360.ui.home.tiles import note_tile, unread_tile
from nexus360.ui.session import cached, current_principal

MONTHS_SHOWN = 24


def sales_home(today: date) -> None:
    principal = current_principal()
    this_quarter = DashboardFilters.this_quarter(today)
    kpis = dashboard.kpis(this_quarter, today)
    year = dashboard.kpis(DashboardFilters.last_12_months(today), today)
    columns = st.columns(5)
    note_tile(columns[0], "Open pipeline", money(kpis.open_pipeline), f"{kpis.open_deals:,} open deals")
    won_tile(columns[1], kpis.current, kpis.previous, today)
    note_tile(columns[2], "Win rate", percent(year.current.win_rate), "last 12 months",
              help="Won deals ÷ (won + lost) closed in the last twelve months")
    if principal.has("marketing.read"):
        new_leads = cached(Database.MARKETING, lead_service.count_new_leads_this_month, shared=True, today=today)
        note_tile(columns[3], "New leads", f"{new_leads:,}", f"since 1 {today:%b}")
    unread_tile(columns[4])
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Won revenue by month")
        revenue = cached(Database.CRM, dashboard_service.get_won_by_month, shared=True,
                         filters=DashboardFilters.months_to_date(today, MONTHS_SHOWN))
        if revenue["revenue"].sum() == 0:
            st.info("No won deals in the last two years yet.")
        else:
            st.plotly_chart(charts.cached_figure("monthly_revenue", revenue), width="stretch",
                            key="won_by_month", config=charts.PLOTLY_CONFIG)
    with right:
        st.subheader("Open pipeline by stage")
        stages = dashboard.funnel(this_quarter, today)
        if stages["deals"].sum() == 0:
            st.info("No open deals. New deals will show here by stage.")
        else:
            st.plotly_chart(charts.cached_figure("pipeline_by_stage", stages), width="stretch",
                            key="pipeline_by_stage", config=charts.PLOTLY_CONFIG)


def won_tile(column, now: PeriodFigures, before: PeriodFigures, today: date, *, label: str = "Won in") -> None:
    column.metric(f"{label} {quarter_of(today).label}", money(now.won_amount),
                  change(now.won_amount, before.won_amount, against="last quarter"), border=True,
                  help=won_help(now, before))


def won_help(now: PeriodFigures, before: PeriodFigures) -> str:
    """What "vs last quarter" compares: this quarter so far with the same number of days of the last one."""
    days, days_before = (now.end - now.start).days + 1, (before.end - before.start).days + 1
    against = f"the first {days} days of last quarter" if days_before == days else "the whole of last quarter"
    return (f"Won {now.start.day} {now.start:%b} – {now.end.day} {now.end:%b %Y} ({days} days), against {against} "
            f"({before.start.day} {before.start:%b} – {before.end.day} {before.end:%b %Y}): {money(before.won_amount)}")
