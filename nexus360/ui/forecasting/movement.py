"""What changed between two snapshots of the period: a waterfall that reconciles to the cent, and its deals."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money, money_exact
from nexus360.common.periods import now_utc
from nexus360.forecasting import flows
from nexus360.forecasting.movement import flows as movement_flows
from nexus360.ui.forecasting import charts
from nexus360.ui.forecasting.common import MONEY, READS, changed
from nexus360.ui.session import FAILED, cached_flow, submit_flow

NOW = 0
SHOWN = 50


@st.fragment
def movement_tab(principal: Principal, *, period: str, scope: str, can_generate: bool) -> None:
    """Pick two snapshots (the later one may be now); see the bars and the deals behind each."""
    snapshots = cached_flow(movement_flows.list_snapshots, databases=READS, period=period, scope=scope)
    if can_generate and st.button("Take a snapshot now", icon=":material/photo_camera:",
                                  help="Keeps this view's deals and every method as they are now."):
        done = submit_flow(flows.generate, period=period, scope=scope)
        if done is not FAILED:
            changed(f"Snapshot taken: {done.deals} deals of {done.scope_label} kept with every method.")
    if not snapshots:
        st.info("No snapshot of this period yet. A snapshot is taken whenever a call is submitted or adjusted"
                + (" or you take one" if can_generate else "") + "; come back after the next one to see what "
                "changed.", icon=":material/history:")
        return
    labels = {snapshot.id: snapshot.label for snapshot in snapshots}
    week_ago = now_utc().replace(tzinfo=None) - timedelta(days=7)
    default = next((s.id for s in snapshots if s.taken_at <= week_ago), snapshots[-1].id)
    left, right = st.columns(2)
    before = left.selectbox("From", list(labels), format_func=labels.get, index=list(labels).index(default),
                            key=f"fc_from_{period}_{scope}")
    later = {NOW: "Now (live from the CRM)"} | {s.id: labels[s.id] for s in snapshots
                                                 if s.taken_at > next(x.taken_at for x in snapshots if x.id == before)}
    after = right.selectbox("To", list(later), format_func=later.get, key=f"fc_to_{period}_{scope}")
    found = cached_flow(movement_flows.get_movement, databases=READS, period=period, scope=scope, before_id=before,
                        after_id=None if after == NOW else after)
    steps = [(bar.label, float(bar.amount)) for bar in found.bars]
    st.altair_chart(charts.waterfall(steps, start=("Start", float(found.start)), total_label="End"),
                    width="stretch")
    won = f" {found.won_since} {'deal was' if found.won_since == 1 else 'deals were'} won in between (still counted)."
    st.caption(f"Pipeline of the period (open and won deals): {money_exact(found.start)} → {money_exact(found.end)}. "
               f"Start + new + pulled in − pushed out − lost ± amount changes = end, residual "
               f"{money_exact(found.residual)}." + (won if found.won_since else ""))
    bars = {bar.bar: f"{bar.label}: {bar.deals} · {money(bar.amount)}" for bar in found.bars if bar.deals}
    if not bars:
        st.success("Nothing moved between these two snapshots.", icon=":material/check:")
        return
    chosen = st.segmented_control("Deals behind", list(bars), format_func=bars.get, default=next(iter(bars)),
                                  key=f"fc_bar_{period}_{scope}") or next(iter(bars))
    moves = [move for move in found.moves if move.bar == chosen]
    table = pd.DataFrame([{"Deal": m.title, "Owner": m.owner, "Before": _text(m.before), "After": _text(m.after),
                           "Change": float(m.change), "Why": m.note} for m in moves[:SHOWN]])
    st.dataframe(table, hide_index=True, width="stretch", column_config={"Change": MONEY})
    if len(moves) > SHOWN:
        st.caption(f"The {SHOWN} largest of {len(moves)} deals.")


def _text(value) -> str:
    return money_exact(value) if value is not None else "–"
