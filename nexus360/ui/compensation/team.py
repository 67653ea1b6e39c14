"""The manager's view: run a period, the team's figures and charts, one rep's statement with the approval
actions, and the open disputes. Reading needs commissions.read_all; every action needs commissions.manage
(the services check it again; the buttons are only hidden as a convenience).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money, percent
from nexus360.common.periods import quarter_of, today_utc
from nexus360.compensation import flows
from nexus360.compensation.disputes import service as disputes
from nexus360.compensation.summaries import service as summaries
from nexus360.ui.charts import PLOTLY_CONFIG
from nexus360.ui.compensation import actions, charts
from nexus360.ui.compensation.common import COMP, MONEY, changed, label, names, status_word
from nexus360.ui.compensation.statement import statement_panel
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import FAILED, call, submit_flow

PERIOD_KEY = "team_period"


def team_view(principal: Principal) -> None:
    """Period picker and run form, team KPIs, table and charts, a rep's statement, disputes."""
    periods = {label(start, end): (start, end, summary) for start, end, summary in call(COMP, summaries.list_periods)}
    picker, runner = st.columns([3, 2], vertical_alignment="bottom")
    if principal.has("commissions.manage"):
        with runner.popover("Run a period", icon=":material/play_circle:", width="stretch"):
            _run_form()
    if not periods:
        st.info("No period has been run yet. Run one to compute every rep's statement.")
        return
    if st.session_state.get(PERIOD_KEY) not in periods:
        st.session_state.pop(PERIOD_KEY, None)
    chosen = picker.selectbox("Period", list(periods), key=PERIOD_KEY,
                              format_func=lambda text: _period_choice(text, periods[text][2]))
    start, end, _summary = periods[chosen]
    rows = call(COMP, summaries.team_period, period_start=start, period_end=end)
    who = names(row.user_id for row in rows)
    frame = team_frame(rows, who)
    _kpis(frame)
    if principal.has("commissions.manage"):
        actions.period_actions(frame, start=start, end=end, period=chosen)
    st.dataframe(
        frame.drop(columns=["user_id", "status", "attainment_text"]), hide_index=True, width="stretch",
        column_config={
            "Revenue": MONEY, "Quota": MONEY, "Commission": MONEY,
            "Attainment": st.column_config.ProgressColumn("Attainment", format="percent", min_value=0,
                                                          max_value=max(1.0, float(frame["Attainment"].max() or 0))),
            "Open disputes": st.column_config.NumberColumn("Open disputes", format="%d"),
        },
    )
    _charts(frame)
    _rep_statement(principal, frame, start=start, end=end)
    if principal.has("commissions.manage"):
        open_disputes(principal)


def _period_choice(text: str, summary: str | None) -> str:
    """The period with how many statements are in which status (the summary starts with the label)."""
    return summary or text


def team_frame(rows: list, who: dict[int, str]) -> pd.DataFrame:
    """One row per rep of the period, as the team table shows it."""
    columns = ["user_id", "Rep", "Revenue", "Quota", "Attainment", "Commission", "Status", "Open disputes",
               "status", "attainment_text"]
    data = [
        {
            "user_id": row.user_id, "Rep": who.get(row.user_id, f"User {row.user_id}"),
            "Revenue": float(row.revenue), "Quota": float(row.quota) if row.quota is not None else None,
            "Attainment": row.attainment, "Commission": float(row.commission), "Status": status_word(row.status),
            "Open disputes": row.open_disputes, "status": row.status, "attainment_text": percent(row.attainment),
        }
        for row in rows
    ]
    return pd.DataFrame(data, columns=columns).sort_values("Rep", ignore_index=True)


def _kpis(frame: pd.DataFrame) -> None:
    cells = st.columns(4)
    cells[0].metric("Team revenue", money(frame["Revenue"].sum()), f"{len(frame)} reps", delta_color="off",
                    delta_arrow="off", border=True, height="stretch")
    cells[1].metric("Team commission", money(frame["Commission"].sum()), border=True, height="stretch")
    waiting = int((frame["status"] == "pending_approval").sum())
    drafts = int((frame["status"] == "draft").sum())
    cells[2].metric("Awaiting approval", f"{waiting}", f"{drafts} drafts", delta_color="off", delta_arrow="off",
                    border=True, height="stretch")
    cells[3].metric("Open disputes", f"{int(frame['Open disputes'].sum())}", border=True, height="stretch")


def _charts(frame: pd.DataFrame) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader("Earned vs quota")
        if frame.empty:
            st.info("No statements in this period.")
        else:
            chart = frame.rename(columns={"Rep": "rep", "Revenue": "revenue", "Quota": "quota"})
            st.plotly_chart(charts.earned_vs_quota(chart), width="stretch", config=PLOTLY_CONFIG)
    with right:
        st.subheader("Team commission by period")
        history = call(COMP, summaries.team_history, periods=8)
        if not history:
            st.info("No statements yet.")
        else:
            st.plotly_chart(charts.team_by_period(history), width="stretch", config=PLOTLY_CONFIG)


def _rep_statement(principal: Principal, frame: pd.DataFrame, *, start: date, end: date) -> None:
    if frame.empty:
        return
    st.subheader("A rep's statement")
    reps = dict(zip(frame["user_id"].astype(int), frame["Rep"], strict=True))
    user_id = st.selectbox("Rep", list(reps), format_func=reps.get, index=None, key="team_rep",
                           placeholder="Choose a rep to see their statement")
    if user_id is None:
        return
    statement = statement_panel(principal, user_id=user_id, period_start=start, period_end=end, key="team_statement")
    if principal.has("commissions.manage"):
        actions.statement_actions(statement, rep_name=reps[user_id])


def _run_form() -> None:
    with st.form("run_period", border=False):
        current = quarter_of(today_utc())
        period = st.text_input("Month or quarter", value=label(current.start, current.end), key="run_period_text",
                               help="A quarter like 2026-Q3 or a month like 2026-07.")
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


def open_disputes(principal: Principal) -> None:
    """Every open dispute with a form to accept or reject it with an answer the rep reads."""
    found = call(COMP, disputes.list_disputes, open_only=True)
    st.subheader(f"Open disputes ({len(found)})")
    if not found:
        st.caption("No open disputes.")
        return
    who = names(dispute.user_id for dispute in found)
    for dispute in found:
        rep_name = who.get(dispute.user_id, f"User {dispute.user_id}")
        period = label(dispute.period_start, dispute.period_end) if dispute.period_start else "?"
        title = f"{escape_markdown(rep_name)} · {period} · opened {dispute.created_at:%Y-%m-%d}"
        with st.expander(title, icon=":material/flag:"):
            if dispute.line_explanation:
                st.caption(f"Disputed line: {escape_markdown(dispute.line_explanation)}")
            st.markdown(f"“{escape_markdown(dispute.comment)}”")
            with st.form(f"resolve_{dispute.id}", border=False):
                answer = st.text_area("Your answer *", key=f"resolve_text_{dispute.id}",
                                      placeholder="The rep reads this.")
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
