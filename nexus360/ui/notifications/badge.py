"""The unread badge: one indexed count per person, cached per person and data generation of the
notifications database (so any write this process commits, a new notification or a "mark read", makes the
next read fresh), and never able to take a page down: with the database away it shows nothing."""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.errors import DatabaseUnavailable
from nexus360.db import Database, data_generation, session_scope
from nexus360.notifications import service
from nexus360.ui.session import CACHE_TTL_SECONDS, current_principal


def unread_count(principal: Principal | None = None) -> int:
    try:
        return _unread(principal or current_principal(), data_generation(Database.NOTIFICATIONS))
    except DatabaseUnavailable:
        return 0


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=10_000)
def _unread(principal: Principal, generation: int) -> int:
    with session_scope(Database.NOTIFICATIONS, actor=principal) as session:
        return service.count_unread(session, principal)
