"""Warn about likely duplicates before saving; pressing Save again keeps both."""

from __future__ import annotations

import streamlit as st


def duplicates_accepted(key: str, duplicates: list, warning: str) -> bool:
    """True when there are no duplicates or the person pressed Save again after the warning."""
    if not duplicates or st.session_state.pop(f"{key}_duplicates_accepted", False):
        return True
    st.warning(warning, icon=":material/content_copy:")
    st.session_state[f"{key}_duplicates_accepted"] = True
    return False
