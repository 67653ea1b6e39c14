"""Home: the headline figures and two charts.

The CRM figures are the CRM dashboard's own, through the same service calls (crm.dashboard.service, the whole
company, this quarter to date and the last twelve months), so Home and the CRM page never disagree.
"""

from __future__ import annotations

import streamlit as st

from nexus360.common.money import change, money, percent
from nexus360.common.periods import quarter_of, today_utc
from nexus360.crm.dashboard import service as dashboard_service
from nexus360.crm.dashboard.schemas import DashboardFilters, PeriodFigures
from nexus360.db import Database
from nexus360.marketing.leads import service as lead_service
from nexus360.notifications import service as notifications_service
from nexus360.ui import charts
from nexus360.ui.session import cached, current_principal

MONTHS_SHOWN = 24


def home_page() -> None:
    principal = current_principal()
    today = today_utc()
    st.title(f"Good to see you, {principal.first_name or principal.display_name}")
    st.caption(f"Sales at a glance · {today:%A %d %B %Y}")

    this_quarter = DashboardFilters.this_quarter(today)
    kpis = cached(Database.CRM, dashboard_service.get_kpis, filters=this_quarter, today=today)
    year = cached(Database.CRM, dashboard_service.get_kpis, filters=DashboardFilters.last_12_months(today),
                  today=today)
    won, before = kpis.current, kpis.previous
    columns = st.columns(5)
    columns[0].metric("Open pipeline", money(kpis.open_pipeline), f"{kpis.open_deals:,} open deals",
                      delta_color="off", delta_arrow="off", border=True)
    columns[1].metric(f"Won in {quarter_of(today).label}", money(won.won_amount),
                      change(won.won_amount, before.won_amount, against="last quarter"), border=True,
                      help=won_help(won, before))
    columns[2].metric("Win rate", percent(year.current.win_rate), "last 12 months", delta_color="off",
                      delta_arrow="off", border=True,
                      help="Won deals ÷ (won + lost) closed in the last twelve months")
    if principal.has("marketing.read"):
        new_leads = cached(Database.MARKETING, lead_service.count_new_leads_this_month, today=today)
        columns[3].metric("New leads", f"{new_leads:,}", f"since 1 {today:%b}",
                          delta_color="off", delta_arrow="off", border=True)
    unread = cached(Database.NOTIFICATIONS, notifications_service.count_unread)
    columns[4].metric("Unread notifications", f"{unread:,}", "for you", delta_color="off", delta_arrow="off",
                      border=True)

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Won revenue by month")
        revenue = cached(Database.CRM, dashboard_service.get_won_by_month,
                         filters=DashboardFilters.months_to_date(today, MONTHS_SHOWN))
        if revenue["revenue"].sum() == 0:
            st.info("No won deals in the last two years yet.")
        else:
            st.plotly_chart(charts.monthly_revenue(revenue), width="stretch", key="won_by_month",
                            config=charts.PLOTLY_CONFIG)
    with right:
        st.subheader("Open pipeline by stage")
        stages = cached(Database.CRM, dashboard_service.get_funnel, filters=this_quarter)
        if stages["deals"].sum() == 0:
            st.info("No open deals. New deals will show here by stage.")
        else:
            st.plotly_chart(charts.pipeline_by_stage(stages), width="stretch", key="pipeline_by_stage",
                            config=charts.PLOTLY_CONFIG)


def won_help(now: PeriodFigures, before: PeriodFigures) -> str:
    """What "vs last quarter" compares: this quarter so far with the same number of days of the last one."""
    days, days_before = (now.end - now.start).days + 1, (before.end - before.start).days + 1
    against = f"the first {days} days of last quarter" if days_before == days else "the whole of last quarter"
    return (f"Won {now.start.day} {now.start:%b} – {now.end.day} {now.end:%b %Y} ({days} days), against {against} "
            f"({before.start.day} {before.start:%b} – {before.end.day} {before.end:%b %Y}): {money(before.won_amount)}")
