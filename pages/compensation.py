"""Commissions: a rep's own earnings and statements; the team's periods, approvals and disputes; the rules."""

import streamlit as st

from nexus360.ui.compensation import rep, rules, team
from nexus360.ui.compensation.common import show_flash
from nexus360.ui.session import current_principal, record_refusal

principal = current_principal()
st.title("Commissions")
if not (principal.has("commissions.read_own") or principal.has("commissions.read_all")):
    record_refusal("commissions.read_own", object_type="page", object_id="commissions")
    st.warning("You do not have access to commissions. Ask an administrator if you need it.", icon=":material/lock:")
    st.stop()
show_flash()
if principal.has("commissions.read_all"):
    names = ["Team", "Rules"] + (["My statement"] if principal.has("commissions.read_own") else [])
    team_tab, rules_tab, *mine = st.tabs(names)
    with team_tab:
        team.team_view(principal)
    with rules_tab:
        rules.rules_tab(principal)
    if mine:
        with mine[0]:
            rep.rep_view(principal, key="mine")
else:
    mine_tab, rules_tab = st.tabs(["My commission", "Rules"])
    with mine_tab:
        rep.rep_view(principal, key="mine")
    with rules_tab:
        rules.rules_tab(principal)
