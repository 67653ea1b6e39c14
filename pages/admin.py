"""Admin: users, roles and the permission matrix, the audit log, and the directory sync."""

import streamlit as st

from nexus360.ui import admin_views
from nexus360.ui.session import current_principal

current_principal()
st.title("Administration")
users, matrix, log, directory = st.tabs(["Users", "Roles & permissions", "Audit log", "Directory sync"])
with users:
    admin_views.users_tab()
with matrix:
    admin_views.permissions_tab()
with log:
    admin_views.audit_tab()
with directory:
    admin_views.directory_tab()
