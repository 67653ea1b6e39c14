"""Campaigns & Leads: campaigns, leads and the hand-off to sales, lead scoring, the campaign ROI dashboard."""

import streamlit as st

from nexus360.ui.marketing import campaigns, leads, roi, scoring
from nexus360.ui.session import current_principal

principal = current_principal()
st.title("Campaigns & Leads")
choices = campaigns.campaign_choices()
names = ["Campaigns", "Leads", "Scoring", "ROI"] + (["Import"] if principal.has("marketing.write") else [])
campaigns_tab, leads_tab, scoring_tab, roi_tab, *import_tab = st.tabs(names)
with campaigns_tab:
    campaigns.campaigns_tab()
with leads_tab:
    leads.leads_tab(choices)
with scoring_tab:
    scoring.scoring_tab()
with roi_tab:
    roi.roi_tab()
if import_tab:
    with import_tab[0]:
        leads.import_tab(choices)
