"""Campaigns & Leads: campaigns, leads and the hand-off to sales, lead scoring, the campaign ROI dashboard.

One lazy tab bar (`campaigns_tab`, bound to the address: /campaigns?campaigns_tab=Leads opens Leads): only the
open tab's view runs, and each view is a fragment that reruns alone when its widgets are used.
"""

import streamlit as st

from nexus360.ui.marketing import campaigns, leads, roi, scoring
from nexus360.ui.session import current_principal

principal = current_principal()
st.title("Campaigns & Leads")
views = {"Campaigns": campaigns.campaigns_tab, "Leads": leads.leads_tab, "Scoring": scoring.scoring_tab,
         "ROI": roi.roi_tab}
if principal.has("marketing.write"):
    views["Import"] = leads.import_tab
for tab, view in zip(st.tabs(list(views), key="campaigns_tab", bind="query-params"), views.values(), strict=True):
    if tab.open:
        with tab:
            view()
