"""The Forecasts page: pickers, then one tab at a time (tabs are lazy: only the open one runs)."""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.forecasting import flows
from nexus360.forecasting.schemas import REP, Scope
from nexus360.ui.forecasting.accuracy import accuracy_tab
from nexus360.ui.forecasting.common import READS, pick_period_and_scope, show_flash
from nexus360.ui.forecasting.deals import deals_tab
from nexus360.ui.forecasting.movement import movement_tab
from nexus360.ui.forecasting.overview import overview_tab
from nexus360.ui.forecasting.team import team_tab
from nexus360.ui.session import cached_flow

TAB_KEY = "fc_tab"


def forecasts_page(principal: Principal) -> None:
    """The manager's and the rep's view: the same tabs, narrowed to what the scope shows."""
    show_flash()
    period, scope_code, _scopes = pick_period_and_scope(principal)
    scope = Scope.parse(scope_code)
    mine = scope.kind == REP and scope.owner_id == principal.id
    names = ["Forecast"] + ([] if scope.kind == REP else ["Team"]) + [
        "My deals" if mine else "Deals", "What changed", "My accuracy" if mine else "Accuracy"]
    if st.session_state.get(TAB_KEY) not in names:
        st.session_state.pop(TAB_KEY, None)
    tabs = dict(zip(names, st.tabs(names, key=TAB_KEY, on_change="rerun"), strict=True))
    overview = None
    if tabs["Forecast"].open:
        with tabs["Forecast"]:
            overview = overview_tab(principal, period=period, scope=scope_code)
    if "Team" in tabs and tabs["Team"].open:
        with tabs["Team"]:
            team_tab(principal, period=period, scope=scope_code)
    deals = tabs[names[-3]]
    if deals.open:
        with deals:
            found = cached_flow(flows.get_overview, databases=READS, period=period, scope=scope_code)
            editable = mine or principal.has("crm.manage")
            deals_tab(principal, period=period, owners=found.owner_ids, editable=editable,
                      categories=found.categories)
    if tabs["What changed"].open:
        with tabs["What changed"]:
            movement_tab(principal, period=period, scope=scope_code,
                         can_generate=principal.has("forecasts.manage"))
    accuracy = tabs[names[-1]]
    if accuracy.open:
        with accuracy:
            current = overview or cached_flow(flows.get_overview, databases=READS, period=period, scope=scope_code)
            accuracy_tab(principal, scope=scope_code, current=current, mine=mine)
