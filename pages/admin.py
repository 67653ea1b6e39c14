"""Admin: users, roles and the permission matrix, the audit log (the directory sync is on Integrations)."""

import streamlit as st

from nexus360.ui.admin import views
from nexus360.ui.session import current_principal

current_principal()
st.title("Administration")
users, matrix, log = st.tabs(["Users", "Roles & permissions", "Audit log"])
with users:
    views.users_tab()
with matrix:
    views.permissions_tab()
with log:
    views.audit_tab()
