"""Campaigns & Leads: campaigns, leads and the hand-off to sales, lead scoring, the campaign ROI dashboard."""

import streamlit as st

from nexus360.ui import marketing_campaigns, marketing_leads, marketing_roi, marketing_scoring
from nexus360.ui.session import current_principal

principal = current_principal()
st.title("Campaigns & Leads")
campaigns = marketing_campaigns.campaign_choices()
names = ["Campaigns", "Leads", "Scoring", "ROI"] + (["Import"] if principal.has("marketing.write") else [])
campaigns_tab, leads_tab, scoring_tab, roi_tab, *import_tab = st.tabs(names)
with campaigns_tab:
    marketing_campaigns.campaigns_tab()
with leads_tab:
    marketing_leads.leads_tab(campaigns)
with scoring_tab:
    marketing_scoring.scoring_tab()
with roi_tab:
    marketing_roi.roi_tab()
if import_tab:
    with import_tab[0]:
        marketing_leads.import_tab(campaigns)
