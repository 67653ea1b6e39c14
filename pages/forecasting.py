"""Forecasts: what will close this period, how sure we are, what changed, and whose calls to trust."""

import streamlit as st

from nexus360.ui.forecasting.page import forecasts_page
from nexus360.ui.session import current_principal, record_refusal

principal = current_principal()
st.title("Forecasts")
if not principal.has("forecasts.read"):
    record_refusal("forecasts.read", object_type="page", object_id="forecasts")
    st.warning("You do not have access to forecasts. Ask an administrator if you need it.", icon=":material/lock:")
    st.stop()
forecasts_page(principal)
