"""Health tiles: every connector's state at a glance, with its last 24 hours."""

from __future__ import annotations

import streamlit as st

from nexus360.config import get_settings
from nexus360.db import Database
from nexus360.integrations.logs import service as logs
from nexus360.ui.formatting import literal
from nexus360.ui.integrations.common import STATE_LOOK, duration, percent, when
from nexus360.ui.session import call

PER_ROW = 3  # wide enough for "581 ms" as a metric at 1440 px
ORDER = {"failing": 0, "degraded": 1, "healthy": 2, "disabled": 3}


def health_tiles() -> None:
    settings = get_settings()
    tiles = call(Database.INTEGRATION, logs.health, settings=settings)
    if not tiles:
        st.info("No integrations yet: add one under Connectors.", icon=":material/hub:")
        return
    counts = {state: sum(tile.state == state for tile in tiles) for state in STATE_LOOK}
    st.caption(" · ".join(f"{counts[state]} {STATE_LOOK[state][0].lower()}" for state in STATE_LOOK if counts[state])
               + f" · failing after {settings.integrations_failing_after} failures in a row, degraded below "
               f"{settings.integrations_degraded_success_rate:.0%} success in 24 h or after any failure")
    tiles = sorted(tiles, key=lambda tile: (ORDER[tile.state], tile.name.lower()))
    for start in range(0, len(tiles), PER_ROW):
        columns = st.columns(PER_ROW)
        for column, tile in zip(columns, tiles[start:start + PER_ROW], strict=False):
            with column.container(border=True, height="stretch"):
                label, color, icon = STATE_LOOK[tile.state]
                st.markdown(f"**{literal(tile.name)}**")
                st.badge(label, color=color, icon=icon)
                st.caption(f"{literal(tile.type_label)} · {literal(tile.reason)}")
                left, right = st.columns(2)
                left.metric("Success, 24 h", percent(tile.success_rate_24h))
                right.metric("p95, 24 h", duration(tile.p95_ms_24h),
                             help="95 % of runs took at most this long (durations are counted in buckets).")
                st.caption(f"Last success {when(tile.last_success_at)} · "
                           f"{tile.consecutive_failures} failure{'' if tile.consecutive_failures == 1 else 's'} "
                           f"in a row · {tile.runs_24h:,} run{'' if tile.runs_24h == 1 else 's'} in 24 h")
