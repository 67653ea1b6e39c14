"""Commissions: a rep's own earnings and statements; the team's periods, approvals and disputes; the rules."""

import streamlit as st

from nexus360.ui import commissions_rep, commissions_rules, commissions_team
from nexus360.ui.commissions_common import show_flash
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
    team, rules, *mine = st.tabs(names)
    with team:
        commissions_team.team_view(principal)
    with rules:
        commissions_rules.rules_tab(principal)
    if mine:
        with mine[0]:
            commissions_rep.rep_view(principal, key="mine")
else:
    mine, rules = st.tabs(["My commission", "Rules"])
    with mine:
        commissions_rep.rep_view(principal, key="mine")
    with rules:
        commissions_rules.rules_tab(principal)
