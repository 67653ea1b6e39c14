"""The Commissions page: one lazy tab bar bound to the address (`?commissions_tab=Team`); only the open tab's
code runs, and each tab reruns alone when its own pickers or forms change (fragments in the tab views).

Deep links open one statement (`ui/compensation/links.py`; docs/architecture.md, "Deep links").
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.compensation.summaries import service as summaries
from nexus360.ui.compensation import rep, rules, team
from nexus360.ui.compensation.common import COMP
from nexus360.ui.compensation.links import TAB_KEY, linked_statement
from nexus360.ui.session import cached, current_principal, record_refusal

TEAM, RULES, MY_STATEMENT, MY_COMMISSION = "Team", "Rules", "My statement", "My commission"
LINK_KEY = "commissions_link"  # the (period, user) of the last deep link opened, so it is opened once


def commissions_page() -> None:
    principal = current_principal()
    st.title("Commissions")
    if not (principal.has("commissions.read_own") or principal.has("commissions.read_all")):
        record_refusal("commissions.read_own", object_type="page", object_id="commissions")
        st.warning("You do not have access to commissions. Ask an administrator if you need it.",
                   icon=":material/lock:")
        st.stop()
    names = tab_names(principal)
    _open_linked_statement(principal, names)
    views: dict[str, Callable[[], None]] = {
        TEAM: lambda: team.team_tab(principal),
        RULES: lambda: rules.rules_tab(principal),
        MY_STATEMENT: lambda: rep.rep_tab(principal),
        MY_COMMISSION: lambda: rep.rep_tab(principal),
    }
    for name, tab in zip(names, st.tabs(names, key=TAB_KEY, bind="query-params"), strict=True):
        if tab.open:
            with tab:
                views[name]()


def tab_names(principal: Principal) -> list[str]:
    """Managers: the team and the rules, and their own statements only when they have some (a manager is
    not a rep, so usually none). Reps: their own commission and the rules."""
    if not principal.has("commissions.read_all"):
        return [MY_COMMISSION, RULES]
    mine = principal.has("commissions.read_own") and bool(cached(COMP, summaries.my_history, limit=1))
    return [TEAM, RULES, *([MY_STATEMENT] if mine else [])]


def own_tab(names: list[str]) -> str | None:
    return next((name for name in names if name in (MY_COMMISSION, MY_STATEMENT)), None)


def _open_linked_statement(principal: Principal, names: list[str]) -> None:
    """An address naming a period (and a user) opens that statement, once: the tab that shows it, with its
    period and rep chosen. The views check the choice against what exists."""
    link = linked_statement()
    if link is None or st.session_state.get(LINK_KEY) == link:
        return
    st.session_state[LINK_KEY] = link
    period, user = link
    user_id = int(user) if user and user.isdigit() else principal.id
    mine = own_tab(names)
    if user_id == principal.id and mine is not None:
        tab = mine
        st.session_state[rep.PERIOD_KEY] = period
    elif TEAM in names:
        tab = TEAM
        st.session_state[team.PERIOD_KEY] = period
        st.session_state[team.REP_KEY] = user_id
    else:
        return
    if TAB_KEY not in st.query_params:
        st.session_state[TAB_KEY] = tab
