"""Home: each role's first question answered at a glance.

- Sales managers and admins: how the company sells (the CRM dashboard's own figures, ui/home/sales.py).
- Sales reps: how their own deals stand, and which need them now (ui/home/rep.py).
- Marketers: this month's leads by campaign and status, and what a lead costs (ui/home/marketing.py).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.periods import today_utc
from nexus360.ui.crm import dashboard
from nexus360.ui.formatting import literal
from nexus360.ui.home import marketing, rep, sales
from nexus360.ui.home.tiles import unread_tile
from nexus360.ui.marketing import roi
from nexus360.ui.session import current_principal


def home_kind(principal: Principal) -> str:
    """Which Home a person gets: 'sales', 'rep', 'marketing', or 'basic' (no role that reads sales or leads)."""
    roles = set(principal.roles)
    if roles & {"admin", "sales_manager"} and principal.has("crm.read"):
        return "sales"
    if "sales_rep" in roles and principal.has("crm.read"):
        return "rep"
    if "marketer" in roles and principal.has("marketing.read"):
        return "marketing"
    return "sales" if principal.has("crm.read") else "basic"


def home_page() -> None:
    principal = current_principal()
    today = today_utc()
    st.title(f"Good to see you, {literal(principal.first_name or principal.display_name)}")
    kind = home_kind(principal)
    captions = {"sales": "Sales at a glance", "rep": "Your deals at a glance", "marketing": "Leads at a glance",
                "basic": "Your workspace"}
    st.caption(f"{captions[kind]} · {today:%A} {today.day} {today:%B %Y}")
    if kind == "sales":
        sales.sales_home(today)
    elif kind == "rep":
        rep.rep_home(principal, today)
    elif kind == "marketing":
        marketing.marketing_home(today)
    else:
        unread_tile(st.columns(4)[0])
        st.info("Your role opens no sales or marketing figures. Notifications and the assistant are in the menu.")
    warm_dashboards(principal, today)


def warm_dashboards(principal: Principal, today: date) -> None:
    """Home is where a person lands after signing in: from here the CRM dashboard's and the ROI report's common
    periods are computed in the background (nexus360.ui.warming), so the first period chosen there is a cache hit."""
    if principal.has("crm.read"):
        dashboard.warm_figures(principal, today)
    if principal.has("marketing.read"):
        roi.warm_reports(principal, today)
