"""One rep's statement for one period: every line with the reason for it, the total, disputes, history, export.

The same component serves the rep (who may dispute a line) and the manager (who sees the rep's statement
beside the approval actions), so both read exactly the same figures.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import percent
from nexus360.compensation import flows
from nexus360.compensation.disputes import service as disputes
from nexus360.compensation.rules import service as rules_service
from nexus360.compensation.schemas import Statement
from nexus360.compensation.statements import service as statements
from nexus360.crm.deals import service as deal_service
from nexus360.db import Database
from nexus360.ui.compensation.common import (
    COMP,
    MONEY,
    STATUS_ICONS,
    changed,
    label,
    names,
    status_word,
)
from nexus360.ui.export import export_buttons
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import FAILED, cached, call, submit_flow

KIND_WORDS = {"deal": "Deal", "tier": "Tier", "bonus": "Bonus", "adjustment": "Adjustment"}
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
    statement = call(COMP, statements.get_statement, user_id=user_id, period_start=period_start, period_end=period_end)
    figures(statement)
    open_lines = _open_disputes_by_line(statement)
    frame = line_frame(statement, open_lines)
    if frame.empty:
        st.info("This statement has no lines: no won deal in the period qualified for a rule.")
    else:
        st.dataframe(
            frame.drop(columns=["line_id"] + ([] if open_lines else ["Disputed"])), hide_index=True, width="stretch",
            height=min(35 * len(frame) + 48, 640),
            column_config={
                "Basis": MONEY, "Amount": MONEY,
                "Rate": st.column_config.NumberColumn("Rate", format="%.2f%%"),
                "Explanation": st.column_config.TextColumn("Why", width="large"),
            },
        )
    _reconciliation(statement)
    export_buttons(
        f"{key}_export",
        lambda: call(COMP, statements.export_statement, user_id=user_id, period_start=period_start,
                     period_end=period_end, deal_titles=_titles(statement)),
        name=f"Statement {label(period_start, period_end)}",
        filters=(user_id, period_start, period_end),
    )
    if user_id == principal.id and not frame.empty:
        _dispute_form(statement, frame, open_lines, key=key)
    with st.expander("History of this statement", icon=":material/history:"):
        _history(statement)
    return statement


def figures(statement: Statement) -> None:
    """The statement's totals to the cent, in one line: a statement is read for exact figures."""
    attainment = statement.attainment
    parts = [
        f"**{label(statement.period_start, statement.period_end)}** "
        f"({statement.period_start:%d %b} – {statement.period_end:%d %b %Y})",
        f"{STATUS_ICONS.get(statement.status, '')} {status_word(statement.status)}",
        f"commission **${statement.commission:,.2f}** on ${statement.revenue:,.2f} revenue",
    ]
    if statement.quota:
        parts.append(f"quota ${statement.quota:,.0f}, attainment {percent(float(attainment))}")
    st.markdown(" · ".join(parts))


def _titles(statement: Statement) -> dict[int, str]:
    """Titles of the statement's deals, from the CRM (cached; a statement holds only deal ids)."""
    deal_ids = tuple(sorted({line.deal_id for line in statement.lines if line.deal_id is not None}))
    return cached(Database.CRM, deal_service.get_deal_titles, deal_ids=deal_ids) if deal_ids else {}


def line_frame(statement: Statement, open_lines: dict[int, int] | None = None) -> pd.DataFrame:
    """The statement's lines as shown: deal, rule, basis, rate, amount and the sentence explaining it."""
    rule_names = {rule.id: rule.name for rule in cached(COMP, rules_service.list_rules)}
    titles = _titles(statement)
    open_lines = open_lines or {}
    rows = [
        {
            "line_id": line.id,
            "Kind": KIND_WORDS.get(line.kind, line.kind.capitalize()),
            "Deal": titles.get(line.deal_id, f"#{line.deal_id}") if line.deal_id else "",
            "Rule": rule_names.get(line.rule_id, f"Rule #{line.rule_id}") if line.rule_id else "",
            "Basis": float(line.basis) if line.basis is not None else None,
            "Rate": float(line.rate) if line.rate is not None else None,
            "Amount": float(line.amount),
            "Explanation": _without_rule_name(line.explanation, rule_names.get(line.rule_id)),
            "Disputed": "Open dispute" if line.id in open_lines else "",
        }
        for line in statement.lines
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
        st.caption(f"{count} line{'s add' if count != 1 else ' adds'} up to **${total:,.2f}**, "
                   "the commission of this statement.")
    else:
        st.warning(f"The lines add up to ${total:,.2f} but the statement says ${statement.commission:,.2f}. "
                   "Please tell your manager.", icon=":material/warning:")


def _open_disputes_by_line(statement: Statement) -> dict[int, int]:
    found = call(COMP, disputes.list_disputes, performance_id=statement.id, open_only=True)
    return {dispute.line_id: dispute.id for dispute in found if dispute.line_id is not None}


def _dispute_form(statement: Statement, frame: pd.DataFrame, open_lines: dict[int, int], *, key: str) -> None:
    choices = [int(line_id) for line_id in frame["line_id"] if int(line_id) not in open_lines]
    if not choices:
        return
    described = {int(row.line_id): f"{row.Kind} {row.Deal} · ${row.Amount:,.2f} · {row.Rule}".replace("  ", " ")
                 for row in frame.itertuples()}
    with st.expander("Dispute this line", icon=":material/flag:"), st.form(f"{key}_dispute", clear_on_submit=False):
        line_id = st.selectbox("Line", choices, format_func=described.get)
        comment = st.text_area("What is wrong with it? *", max_chars=disputes.COMMENT_MAX, key=f"{key}_dispute_comment",
                               placeholder="e.g. This deal closed in July, not June.")
        sent = st.form_submit_button("Send dispute", type="primary")
    if sent:
        if not comment.strip():
            st.error("Please say what is wrong with this line.")
            return
        if submit_flow(flows.open_dispute, line_id=line_id, comment=comment) is not FAILED:
            changed("Your dispute was sent to the commission managers. You will be notified of the answer.")


def _history(statement: Statement) -> None:
    entries = call(COMP, disputes.statement_history, performance_id=statement.id)
    if not entries:
        st.caption("No changes recorded yet.")
        return
    who = names(entry.user_id for entry in entries)
    for entry in entries:
        action = HISTORY_WORDS.get(entry.action, entry.action.replace("_", " ").capitalize())
        moved = ""
        if entry.from_status and entry.to_status:
            moved = f" ({status_word(entry.from_status)} → {status_word(entry.to_status)})"
        person = escape_markdown(who.get(entry.user_id, "system"))
        line = f" · line {entry.line_id}" if entry.line_id else ""
        st.markdown(f"{entry.at:%Y-%m-%d %H:%M} · **{action}**{moved}{line} · {person}")
        if entry.comment:
            st.caption(f"“{escape_markdown(entry.comment)}”")
