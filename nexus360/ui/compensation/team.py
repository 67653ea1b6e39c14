"""The manager's view: run a period, the team's figures and charts, one rep's statement with the approval
actions, and the open disputes. Reading needs commissions.read_all; every action needs commissions.manage
(the services check it again; the buttons are only hidden as a convenience).

A fragment: choosing a period or a rep reruns this tab alone, and every read is cached (a write anywhere
makes the next read fresh). Only reps are on the team (the run computes statements for reps only).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import DASH, money, percent
from nexus360.common.periods import month_of, quarter_of, today_utc
from nexus360.compensation import engine, flows
from nexus360.compensation.disputes import service as disputes
from nexus360.compensation.summaries import service as summaries
from nexus360.ui import charts as ui_charts
from nexus360.ui.compensation import actions, charts
from nexus360.ui.compensation.common import (
    COMP,
    MONEY,
    STATUS_WORDS,
    UNKNOWN_USER,
    changed,
    deal_titles,
    label,
    names,
    show_flash,
    status_word,
)
from nexus360.ui.compensation.statement import statement_panel
from nexus360.ui.formatting import literal
from nexus360.ui.session import FAILED, cached, submit_flow

PERIOD_KEY, REP_KEY = "team_period", "team_rep"  # a deep link sets them (page.py)
RUN_KEY = "run_period_text"
CHART_KEY = "team_chart"


@st.fragment
def team_tab(principal: Principal) -> None:
    """Period picker and run form, team KPIs, table and charts, a rep's statement, disputes."""
    show_flash()
    periods = {label(start, end): (start, end) for start, end, _summary in cached(COMP, summaries.list_periods)}
    picker, runner = st.columns([3, 2], vertical_alignment="bottom")
    if principal.has("commissions.manage"):
        with runner.popover("Run a period", icon=":material/play_circle:", width="stretch"):
            _run_form()
    if not periods:
        st.info("No period has been run yet. "
                + ("Run one to compute every rep's statement." if principal.has("commissions.manage")
                   else "A commission manager runs them."), icon=":material/info:")
        return
    if st.session_state.get(PERIOD_KEY) not in periods:
        st.session_state.pop(PERIOD_KEY, None)
    # Plain codes: a keyed select box keeps showing an option's old wording after it changes (issue 13, 2),
    # so how many statements are in which status is said below, from the same rows as the tiles.
    chosen = picker.selectbox("Period", list(periods), key=PERIOD_KEY, help="The periods that were run, newest first.")
    start, end = periods[chosen]
    rows = cached(COMP, summaries.team_period, period_start=start, period_end=end)
    frame = team_frame(rows, names(row.user_id for row in rows))
    st.caption(period_summary(frame))
    _kpis(frame)
    st.dataframe(
        frame.drop(columns=["user_id", "status", "attainment_text"]), hide_index=True, width="stretch",
        placeholder=DASH, column_config={
            "Revenue": MONEY, "Quota": MONEY, "Commission": MONEY,
            "Attainment": st.column_config.ProgressColumn("Attainment", format="percent", min_value=0,
                                                          max_value=max(1.0, float(frame["Attainment"].max() or 0))),
            "Open disputes": st.column_config.NumberColumn("Open disputes", format="%d"),
        },
    )
    if principal.has("commissions.manage"):
        actions.period_actions(frame, start=start, end=end, period=chosen)
    _charts(frame)
    _rep_statement(principal, frame, start=start, end=end)
    if principal.has("commissions.manage"):
        open_disputes()


def period_summary(frame: pd.DataFrame) -> str:
    """'7 statements: 4 approved, 3 awaiting approval' in the words of the tiles and the table."""
    counts = Counter(frame["status"])
    parts = [f"{counts[status]} {word.lower()}" for status, word in STATUS_WORDS.items() if counts[status]]
    total = len(frame)
    return f"{total} statement{'s' if total != 1 else ''}: {', '.join(parts)}." if total else "No statements."


def team_frame(rows: list, who: dict[int, str]) -> pd.DataFrame:
    """One row per rep of the period, as the team table shows it."""
    columns = ["user_id", "Rep", "Revenue", "Quota", "Attainment", "Commission", "Status", "Open disputes",
               "status", "attainment_text"]
    data = [
        {
            "user_id": row.user_id, "Rep": who.get(row.user_id, UNKNOWN_USER),
            "Revenue": float(row.revenue), "Quota": float(row.quota) if row.quota is not None else None,
            "Attainment": row.attainment, "Commission": float(row.commission), "Status": status_word(row.status),
            "Open disputes": row.open_disputes, "status": row.status, "attainment_text": percent(row.attainment),
        }
        for row in rows
    ]
    return pd.DataFrame(data, columns=columns).sort_values("Rep", ignore_index=True)


def _kpis(frame: pd.DataFrame) -> None:
    cells = st.columns(4)
    reps = len(frame)
    cells[0].metric("Team revenue", money(frame["Revenue"].sum()), f"{reps} rep{'s' if reps != 1 else ''}",
                    delta_color="off", delta_arrow="off", border=True, height="stretch")
    cells[1].metric("Team commission", money(frame["Commission"].sum()), border=True, height="stretch")
    waiting = int((frame["status"] == "pending_approval").sum())
    drafts = int((frame["status"] == "draft").sum())
    cells[2].metric("Awaiting approval", f"{waiting}", f"{drafts} draft{'s' if drafts != 1 else ''}",
                    delta_color="off", delta_arrow="off", border=True, height="stretch")
    cells[3].metric("Open disputes", f"{int(frame['Open disputes'].sum())}", border=True, height="stretch")


def _charts(frame: pd.DataFrame) -> None:
    """One chart area, the person picks the chart: each chart costs the browser more than its data costs us, and
    the table above already shows each rep's revenue against quota, so none is drawn until one is picked."""
    ui_charts.chart_picker({"Earned vs quota": lambda: _earned_vs_quota(frame),
                            "Team commission by period": _team_history}, key=CHART_KEY,
                           closed="Pick a chart: each rep's revenue against quota, or the team's commission by period.")


def _earned_vs_quota(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info("No statements in this period.")
        return
    chart = frame.rename(columns={"Rep": "rep", "Revenue": "revenue", "Quota": "quota"})
    st.altair_chart(charts.figure("earned_vs_quota", chart), width="stretch", key="team_quota_chart")


def _team_history() -> None:
    history = cached(COMP, summaries.team_history, periods=8)
    if not history:
        st.info("No statements yet.")
        return
    st.altair_chart(charts.figure("team_by_period", history), width="stretch", key="team_history_chart")


def _rep_statement(principal: Principal, frame: pd.DataFrame, *, start: date, end: date) -> None:
    if frame.empty:
        return
    st.subheader("A rep's statement")
    reps = dict(zip(frame["user_id"].astype(int), frame["Rep"], strict=True))
    if st.session_state.get(REP_KEY) not in reps:
        st.session_state.pop(REP_KEY, None)
    user_id = st.selectbox("Rep", list(reps), format_func=reps.get, index=None, key=REP_KEY,
                           placeholder="Choose a rep to see their statement")
    if user_id is None:
        return
    statement = statement_panel(principal, user_id=user_id, period_start=start, period_end=end, key="team_statement")
    if principal.has("commissions.manage"):
        actions.statement_actions(statement, rep_name=reps[user_id])


def _run_form() -> None:
    """Month or quarter to run; the service refuses one that has not started or ends before the first win."""
    today = today_utc()
    quarter, month = quarter_of(today).code, month_of(today).code
    with st.form("run_period", border=False):
        period = st.text_input("Month or quarter", value=quarter, key=RUN_KEY, max_chars=7,
                               help=f"A quarter like {quarter} or a month like {month}: one that has started, "
                                    "after the first won deal.")
        st.caption("Computes every rep's statement as a draft, replacing an earlier draft of the period. "
                   "Approved or paid periods are locked.")
        run = st.form_submit_button("Run period", type="primary", width="stretch")
    if run:
        with st.spinner(f"Computing {period.strip()}…"):
            result = submit_flow(flows.run_commissions, period=period)
        if result is not FAILED:
            st.session_state[PERIOD_KEY] = result.label
            changed(f"{result.label} computed: {result.statements} statements, {money(result.total_commission)} "
                    f"commission on {money(result.total_revenue)} revenue. They are drafts until approved.")


def open_disputes() -> None:
    """Every open dispute with a form to accept or reject it with an answer the rep reads."""
    found = cached(COMP, disputes.list_disputes, open_only=True)
    st.subheader(f"Open disputes ({len(found)})")
    if not found:
        st.caption("No open disputes. When a rep disputes a line of their statement, it appears here.")
        return
    who = names(dispute.user_id for dispute in found)
    titles = deal_titles(dispute.line_deal_id for dispute in found)
    for dispute in found:
        rep_name = who.get(dispute.user_id, UNKNOWN_USER)
        period = label(dispute.period_start, dispute.period_end) if dispute.period_start else "a period"
        title = f"{literal(rep_name)} · {period} · opened {dispute.created_at:%Y-%m-%d}"
        with st.expander(title, icon=":material/flag:"):
            if dispute.line_explanation:
                st.caption(f"Disputed line: {literal(engine.with_deal_names(dispute.line_explanation, titles))}")
            st.markdown(f"“{literal(dispute.comment)}”")
            with st.form(f"resolve_{dispute.id}", border=False):
                answer = st.text_area("Your answer *", key=f"resolve_text_{dispute.id}", max_chars=disputes.COMMENT_MAX,
                                      placeholder="The rep reads this.",
                                      help=f"At most {disputes.COMMENT_MAX:,} characters.")
                accept_col, reject_col = st.columns(2)
                accept = accept_col.form_submit_button("Accept", icon=":material/check:", width="stretch")
                reject = reject_col.form_submit_button("Reject", icon=":material/close:", width="stretch")
            if accept or reject:
                done = submit_flow(flows.resolve_dispute, dispute_id=dispute.id, resolution=answer,
                                   accepted=bool(accept))
                if done is not FAILED:
                    verdict = "accepted" if accept else "rejected"
                    hint = " Add an adjustment on the statement if the figure must change." if accept else ""
                    changed(f"Dispute {verdict}; {rep_name} was notified.{hint}")
