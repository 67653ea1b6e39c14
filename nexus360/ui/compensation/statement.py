"""One rep's statement for one period: every line with the reason for it, the total, disputes, history, export.

The same component serves the rep (who may dispute a line) and the manager (who sees the rep's statement
beside the approval actions), so both read exactly the same figures. Deals are named by their titles (a line
holds only the deal's id), and the history is read only while its expander is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import DASH, percent
from nexus360.compensation import engine, flows
from nexus360.compensation.disputes import service as disputes
from nexus360.compensation.rules import service as rules_service
from nexus360.compensation.schemas import Statement, StatementLine
from nexus360.compensation.statements import service as statements
from nexus360.ui.compensation.common import (
    COMP,
    STATUS_ICONS,
    UNKNOWN_USER,
    changed,
    deal_name,
    deal_titles,
    label,
    names,
    status_word,
)
from nexus360.ui.export import export_buttons
from nexus360.ui.formatting import literal
from nexus360.ui.reruns import clear_form, form_key
from nexus360.ui.session import FAILED, cached, call, submit_flow

HISTORY_WORDS = {
    "computed": "Computed",
    "recomputed": "Recomputed",
    "submitted": "Submitted for approval",
    "approved": "Approved",
    "sent_back": "Sent back",
    "paid": "Marked paid",
    "adjustment": "Adjustment added",
    "dispute_opened": "Line disputed",
    "dispute_accepted": "Dispute accepted",
    "dispute_rejected": "Dispute rejected",
}


def statement_panel(principal: Principal, *, user_id: int, period_start: date, period_end: date,
                    key: str) -> Statement:
    """Figures, lines ("why this number"), export, disputes and history of one statement."""
    statement = cached(COMP, statements.get_statement, user_id=user_id, period_start=period_start,
                       period_end=period_end)
    figures(statement)
    open_lines = _open_disputes_by_line(statement)
    titles = deal_titles(line.deal_id for line in statement.lines)
    frame = line_frame(statement.lines, titles, open_lines)
    if frame.empty:
        st.info("This statement has no lines: no won deal in the period qualified for a rule.", icon=":material/info:")
    else:
        lines_table(frame, disputed=bool(open_lines))
    _reconciliation(statement)
    export_buttons(
        f"{key}_export",
        lambda: call(COMP, statements.export_statement, user_id=user_id, period_start=period_start,
                     period_end=period_end, deal_titles=titles),
        name=f"Statement {label(period_start, period_end)}",
        filters=(user_id, period_start, period_end),
    )
    if user_id == principal.id and not frame.empty:
        _dispute_form(frame, open_lines, key=key)
    history = st.expander("History of this statement", icon=":material/history:", key=f"{key}_history_open",
                          on_change="rerun")
    if history.open:
        with history:
            _history(statement, frame)
    return statement


def figures(statement: Statement) -> None:
    """The statement's totals to the cent, in one line: a statement is read for exact figures."""
    attainment = statement.attainment
    parts = [
        f"**{label(statement.period_start, statement.period_end)}** "
        f"({statement.period_start:%d %b} – {statement.period_end:%d %b %Y})",
        f"{STATUS_ICONS.get(statement.status, '')} {status_word(statement.status)}",
        f"commission **\\${statement.commission:,.2f}** on \\${statement.revenue:,.2f} revenue",
    ]
    if statement.quota:
        parts.append(f"quota \\${statement.quota:,.0f}, attainment {percent(float(attainment))}")
    st.markdown(" · ".join(parts))


def lines_table(frame: pd.DataFrame, *, disputed: bool = False) -> None:
    """Lines as a table that fits 1440 px: deal, rule, amount and why (the statement's and the what-if's)."""
    st.dataframe(
        frame, hide_index=True, width="stretch", height=min(35 * len(frame) + 38, 640), placeholder=DASH,
        # The kind, basis and rate are in the sentence of each line ("5% of the deal ($58,600, …)", "Tier 1 …"):
        # the table shows what fits without cutting names (the export has every column).
        column_order=["Deal", "Rule", "Amount", "Explanation", *(["Disputed"] if disputed else [])],
        column_config={
            "Deal": st.column_config.TextColumn("Deal", width=290),
            "Rule": st.column_config.TextColumn("Rule", width=260),
            "Amount": st.column_config.NumberColumn("Amount", format="dollar", width=95),
            "Explanation": st.column_config.TextColumn("Why"),
        },
    )


def line_frame(lines: Sequence[StatementLine], titles: dict[int, str], open_lines: dict[int, int] | None = None
               ) -> pd.DataFrame:
    """Lines as shown: deal, rule, basis, rate, amount and the sentence explaining it, with deals named by their
    titles."""
    rule_ids = tuple(sorted({line.rule_id for line in lines if line.rule_id is not None}))
    rule_names = cached(COMP, rules_service.get_rule_names, rule_ids=rule_ids) if rule_ids else {}
    open_lines = open_lines or {}
    rows = [
        {
            "line_id": line.id,
            "Kind": engine.KIND_WORDS.get(line.kind, line.kind.capitalize()),
            "Deal": deal_name(line.deal_id, titles),
            "Rule": rule_names.get(line.rule_id, DASH) if line.rule_id else "",
            "Basis": float(line.basis) if line.basis is not None else None,
            "Rate": float(line.rate) if line.rate is not None else None,
            "Amount": float(line.amount),
            "Explanation": engine.beside_its_deal(_without_rule_name(line.explanation, rule_names.get(line.rule_id))),
            "Disputed": "Open dispute" if line.id in open_lines else "",
        }
        for line in lines
    ]
    columns = ["line_id", "Kind", "Deal", "Rule", "Basis", "Rate", "Amount", "Explanation", "Disputed"]
    return pd.DataFrame(rows, columns=columns)


def _without_rule_name(explanation: str, rule_name: str | None) -> str:
    """The engine's sentence starts with the rule's name, already in its own column: show the rest."""
    if rule_name and explanation.startswith(rule_name):
        rest = explanation[len(rule_name):].lstrip(":, ")
        return rest[:1].upper() + rest[1:] if rest else explanation
    return explanation


def _reconciliation(statement: Statement) -> None:
    total = sum((line.amount for line in statement.lines), Decimal(0))
    if total == statement.commission:
        count = len(statement.lines)
        st.caption(f"{count} line{'s add' if count != 1 else ' adds'} up to **\\${total:,.2f}**, "
                   "the commission of this statement.")
    else:
        st.warning(f"The lines add up to \\${total:,.2f} but the statement says \\${statement.commission:,.2f}. "
                   "Please tell your manager.", icon=":material/warning:")


def _open_disputes_by_line(statement: Statement) -> dict[int, int]:
    found = cached(COMP, disputes.list_disputes, performance_id=statement.id, open_only=True)
    return {dispute.line_id: dispute.id for dispute in found if dispute.line_id is not None}


def describe_lines(frame: pd.DataFrame) -> dict[int, str]:
    """Each line in a few words, as the dispute picker and the history name it: 'Deal “Acme renewal” · $600.00'."""
    described = {}
    for row in frame.itertuples():
        what = f"{row.Kind} “{row.Deal}”" if row.Deal else str(row.Kind)
        rule = f" · {row.Rule}" if row.Rule else ""
        described[int(row.line_id)] = f"{what} · ${row.Amount:,.2f}{rule}"
    return described


def _dispute_form(frame: pd.DataFrame, open_lines: dict[int, int], *, key: str) -> None:
    choices = [int(line_id) for line_id in frame["line_id"] if int(line_id) not in open_lines]
    if not choices:
        return
    described = describe_lines(frame)
    prefix = f"{key}_dispute"
    with st.expander("Dispute this line", icon=":material/flag:"), st.form(form_key(prefix)):
        line_id = st.selectbox("Line", choices, format_func=described.get)
        comment = st.text_area("What is wrong with it? *", max_chars=disputes.COMMENT_MAX,
                               key=f"{form_key(prefix)}_comment",
                               placeholder="e.g. This deal closed in July, not June.",
                               help=f"Your manager reads this; at most {disputes.COMMENT_MAX:,} characters.")
        sent = st.form_submit_button("Send dispute", type="primary")
    if sent:
        if not comment.strip():
            st.error("Please say what is wrong with this line.", icon=":material/error:")
            return
        if submit_flow(flows.open_dispute, line_id=line_id, comment=comment) is not FAILED:
            clear_form(prefix)
            changed("Your dispute was sent to the commission managers. You will be notified of the answer.")


def _history(statement: Statement, frame: pd.DataFrame) -> None:
    entries = cached(COMP, disputes.statement_history, performance_id=statement.id)
    if not entries:
        st.caption("No changes recorded yet.")
        return
    who = names(entry.user_id for entry in entries)
    lines = describe_lines(frame)
    for entry in entries:
        action = HISTORY_WORDS.get(entry.action, entry.action.replace("_", " ").capitalize())
        moved = ""
        if entry.from_status and entry.to_status:
            moved = f" ({status_word(entry.from_status)} → {status_word(entry.to_status)})"
        person = literal(who.get(entry.user_id, UNKNOWN_USER) if entry.user_id is not None else "the system")
        line = f" · {literal(lines.get(entry.line_id, 'a line no longer on the statement'))}" if entry.line_id else ""
        st.markdown(f"{entry.at:%Y-%m-%d %H:%M} · **{action}**{moved}{line} · {person}")
        if entry.comment:
            st.caption(f"“{literal(entry.comment)}”")
