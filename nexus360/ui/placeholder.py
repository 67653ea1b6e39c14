"""What a page shows until its issue builds it."""

from __future__ import annotations

import streamlit as st

from nexus360.ui.session import current_principal


def render(title: str, purpose: str) -> None:
    current_principal()
    st.title(title)
    st.info(purpose, icon=":material/construction:")
    st.caption("This page is being built; the figures above it on Home are live.")
