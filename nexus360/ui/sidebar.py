"""The sidebar every page shares: who is signed in, their role, and sign-out."""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.ui import signin

ROLE_LABELS = {
    "admin": "Administrator",
    "sales_manager": "Sales manager",
    "sales_rep": "Sales rep",
    "marketer": "Marketer",
}


def role_label(principal: Principal) -> str:
    return ", ".join(ROLE_LABELS.get(role, role) for role in principal.roles) or "No role"


def render(principal: Principal) -> None:
    with st.sidebar:
        st.markdown(f"**{principal.display_name}**")
        st.caption(f"{role_label(principal)} · {principal.email}")
        if st.button("Sign out", icon=":material/logout:", use_container_width=True):
            signin.sign_out()
            st.rerun()
