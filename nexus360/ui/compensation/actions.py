"""Approval actions with confirmation: submit a period, approve, send back with a comment, mark paid, and
adjust a locked statement. Each one that tells the rep goes through its flow (the one entry point that
notifies); every one checks commissions.manage again. Comments are limited to what the service keeps
(statements.COMMENT_MAX, REASON_MAX), stated on the widget.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from nexus360.common.money import money
from nexus360.compensation import flows
from nexus360.compensation.schemas import APPROVED, DRAFT, LOCKED, PENDING, Statement
from nexus360.compensation.statements import service as statements
from nexus360.ui.compensation.common import changed, label, status_word
from nexus360.ui.formatting import literal
from nexus360.ui.reruns import clear_form, form_key
from nexus360.ui.session import FAILED, submit_flow

COMMENT_HELP = f"The rep reads this in their notification; at most {statements.COMMENT_MAX:,} characters."


def period_actions(frame: pd.DataFrame, *, start: date, end: date, period: str) -> None:
    """'Submit for approval' for the period's drafts, confirmed in a dialog (drawn below the team table, clear
    of the table's toolbar)."""
    drafts = int((frame["status"] == "draft").sum())
    if not drafts:
        return
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.caption(f"{drafts} draft statement{'s' if drafts != 1 else ''} in {period}. Check them, then send "
                 "them for approval.")
    if right.button("Submit for approval…", key="submit_period", icon=":material/send:", width="stretch"):
        _confirm_submit(start, end, period, drafts)


@st.dialog("Submit for approval")
def _confirm_submit(start: date, end: date, period: str, drafts: int) -> None:
    st.write(f"Send the {drafts} draft statement{'s' if drafts != 1 else ''} of **{period}** for approval? Drafts "
             "can no longer be recomputed until a manager sends them back.")
    if st.button("Submit", type="primary"):
        moved = submit_flow(flows.submit_for_approval, period_start=start, period_end=end)
        if moved is not FAILED:
            changed(f"{moved} statement{'s' if moved != 1 else ''} of {period} "
                    f"{'are' if moved != 1 else 'is'} awaiting approval.")


def statement_actions(statement: Statement, *, rep_name: str) -> None:
    """The actions the statement's status allows, each confirmed or with its required comment."""
    period = label(statement.period_start, statement.period_end)
    st.markdown(f"**Actions** · {status_word(statement.status)}")
    if statement.status == DRAFT:
        st.caption("A draft can be recomputed by running the period again, then submitted for approval.")
    elif statement.status == PENDING:
        approve_col, back_col = st.columns(2)
        with approve_col:
            if st.button("Approve…", key=f"approve_{statement.id}", type="primary", icon=":material/verified:",
                         width="stretch"):
                _confirm_approve(statement, rep_name, period)
        with back_col, st.popover("Send back…", icon=":material/undo:", width="stretch"):
            _send_back_form(statement, rep_name, period)
    elif statement.status == APPROVED and st.button("Mark paid…", key=f"paid_{statement.id}",
                                                            icon=":material/paid:"):
        _confirm_paid(statement, rep_name, period)
    if statement.status in LOCKED:
        _adjustment_form(statement, rep_name, period)


@st.dialog("Approve statement")
def _confirm_approve(statement: Statement, rep_name: str, period: str) -> None:
    rep = literal(rep_name)
    st.write(f"Approve **{rep}**'s {period} statement: {literal(money(statement.commission))} commission on "
             f"{literal(money(statement.revenue))} revenue? It is then locked and {rep} is notified.")
    comment = st.text_area("Comment (optional)", key=f"approve_comment_{statement.id}",
                           max_chars=statements.COMMENT_MAX, help=COMMENT_HELP)
    if st.button("Approve", type="primary"):
        done = submit_flow(flows.approve, user_id=statement.user_id, period_start=statement.period_start,
                           period_end=statement.period_end, comment=comment.strip() or None)
        if done is not FAILED:
            changed(f"{rep_name}'s {period} statement is approved; {rep_name} was notified.")


def _send_back_form(statement: Statement, rep_name: str, period: str) -> None:
    with st.form(f"send_back_{statement.id}", border=False):
        comment = st.text_area("Why? *", placeholder=f"{rep_name} reads this comment.",
                               key=f"send_back_{statement.id}_why", max_chars=statements.COMMENT_MAX,
                               help=COMMENT_HELP)
        sent = st.form_submit_button("Send back to draft", width="stretch")
    if sent:
        if not comment.strip():
            st.error("Say why you send the statement back: the rep reads your comment.", icon=":material/error:")
            return
        done = submit_flow(flows.send_back, user_id=statement.user_id, period_start=statement.period_start,
                           period_end=statement.period_end, comment=comment)
        if done is not FAILED:
            changed(f"{rep_name}'s {period} statement is back in draft; {rep_name} was notified.")


@st.dialog("Mark paid")
def _confirm_paid(statement: Statement, rep_name: str, period: str) -> None:
    rep = literal(rep_name)
    st.write(f"Record that {literal(money(statement.commission))} was paid to **{rep}** for {period}? "
             f"{rep} is notified.")
    if st.button("Mark paid", type="primary"):
        done = submit_flow(flows.mark_paid, user_id=statement.user_id, period_start=statement.period_start,
                           period_end=statement.period_end)
        if done is not FAILED:
            changed(f"{rep_name}'s {period} commission is marked paid.")


def _adjustment_form(statement: Statement, rep_name: str, period: str) -> None:
    """Amount and reason; the form starts empty again after an adjustment is added (no second by mistake)."""
    prefix = f"adjust_{statement.id}"
    key = form_key(prefix)
    with st.expander("Add an adjustment", icon=":material/exposure:"), st.form(key):
        st.caption("A locked statement is corrected with an adjustment line that says why; it is never recomputed.")
        amount = st.number_input("Amount ($) *", value=None, step=50.0, format="%.2f", key=f"{key}_amount",
                                 help="Negative to take money back, e.g. -250.00.")
        reason = st.text_input("Reason *", max_chars=statements.REASON_MAX, key=f"{key}_reason",
                               help=f"Shown on the statement line; at most {statements.REASON_MAX} characters.")
        saved = st.form_submit_button("Add adjustment", type="primary")
    if saved:
        if amount is None:
            st.error("Amount: enter the amount to add (negative to take money back).", icon=":material/error:")
            return
        done = submit_flow(flows.add_adjustment, user_id=statement.user_id, period_start=statement.period_start,
                           period_end=statement.period_end, amount=str(amount), reason=reason)
        if done is not FAILED:
            clear_form(prefix)
            changed(f"Adjustment of ${amount:,.2f} added to {rep_name}'s {period} statement.")
