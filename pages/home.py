"""Home: the headline figures and two charts, all aggregated in SQL."""

import streamlit as st

from nexus360.common.money import change, money, percent
from nexus360.common.periods import today_utc
from nexus360.crm import service as crm_service
from nexus360.db import Database
from nexus360.marketing import service as marketing_service
from nexus360.notifications import service as notifications_service
from nexus360.ui import charts
from nexus360.ui.session import cached, current_principal

principal = current_principal()
today = today_utc()

st.title(f"Good to see you, {principal.first_name or principal.display_name}")
st.caption(f"Sales at a glance · {today:%A %d %B %Y}")

summary = cached(Database.CRM, crm_service.get_pipeline_summary, today=today)
columns = st.columns(5)
columns[0].metric("Open pipeline", money(summary.open_pipeline), f"{summary.open_deals:,} open deals",
                  delta_color="off", delta_arrow="off", border=True)
columns[1].metric(f"Won in {summary.quarter_label}", money(summary.won_this_quarter),
                  change(summary.won_this_quarter, summary.won_last_quarter, against="last quarter"), border=True,
                  help=f"Last quarter: {money(summary.won_last_quarter)}")
columns[2].metric("Win rate", percent(summary.win_rate), "last 12 months", delta_color="off", delta_arrow="off",
                  border=True,
                  help="Won deals ÷ (won + lost) closed in the last twelve months")
if principal.has("marketing.read"):
    new_leads = cached(Database.MARKETING, marketing_service.count_new_leads_this_month, today=today)
    columns[3].metric("New leads", f"{new_leads:,}", f"since 1 {today:%b}",
                      delta_color="off", delta_arrow="off", border=True)
unread = cached(Database.NOTIFICATIONS, notifications_service.count_unread)
columns[4].metric("Unread notifications", f"{unread:,}", "for you", delta_color="off", delta_arrow="off", border=True)

left, right = st.columns([3, 2])
with left:
    st.subheader("Won revenue by month")
    revenue = cached(Database.CRM, crm_service.get_won_revenue_by_month, today=today)
    if revenue["revenue"].sum() == 0:
        st.info("No won deals in the last two years yet.")
    else:
        st.plotly_chart(charts.monthly_revenue(revenue), width="stretch", key="won_by_month",
                        config=charts.PLOTLY_CONFIG)
with right:
    st.subheader("Open pipeline by stage")
    stages = cached(Database.CRM, crm_service.get_pipeline_by_stage)
    if stages["deals"].sum() == 0:
        st.info("No open deals. New deals will show here by stage.")
    else:
        st.plotly_chart(charts.pipeline_by_stage(stages), width="stretch", key="pipeline_by_stage",
                        config=charts.PLOTLY_CONFIG)
