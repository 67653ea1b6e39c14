"""The Campaigns & Leads page's scoring tab: the rules in plain words, an editable table, and re-scoring.

Rules are edited in one table and saved together (one transaction), so a half-edited set never scores leads.
There is no deleting: switching a rule off keeps it for the record and stops it counting. The tab is one
fragment (an edit reruns it alone). Points have no min/max on the column: the table would clamp 5000 to 100
without a word; the range is stated in the column's help and a row out of it is refused by name.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.common.errors import ValidationError
from nexus360.common.periods import today_utc
from nexus360.common.validation import parse
from nexus360.db import Database
from nexus360.marketing.schemas import (
    BAND_HINT,
    COMPLETENESS_FIELDS,
    RULE_KINDS,
    RULE_VALUE_MAX,
    ScoringRuleInput,
    parse_size_band,
)
from nexus360.marketing.scoring import service as scoring
from nexus360.marketing.scoring.engine import BASE_POINTS
from nexus360.ui.formatting import literal
from nexus360.ui.reruns import clear_form, form_key, rerun_section
from nexus360.ui.session import FAILED, cached, current_principal, submit

KIND_LABELS = {
    "title_keyword": "Job title keyword",
    "email_domain": "Email domain",
    "company_name_keyword": "Company name keyword",
    "company_size": "Company size (employees)",
    "campaign_type": "Campaign type",
    "completeness": "Field filled in",
    "recency": "Age (decay)",
}
COLUMNS = ["id", "kind", "value", "points", "is_active"]
EDITOR = "scoring_rules_editor"


def describe_rule(kind: str, value: str, points: int) -> str:
    """One rule as a sentence a marketer reads at a glance."""
    value = str(value or "")
    signed = f"{int(points):+d} points"
    if kind == "title_keyword":
        return f"{signed} when the job title contains the word '{value}'"
    if kind == "email_domain":
        return f"{signed} when the email is at {value} (or a subdomain)"
    if kind == "company_name_keyword":
        return f"{signed} when the company name contains '{value}'"
    if kind == "company_size":
        try:
            return f"{signed} when the company has {parse_size_band(value).words}"
        except ValueError:
            return f"{signed} (company size band '{value}' is not valid: use a band {BAND_HINT})"
    if kind == "campaign_type":
        kind_of = value.replace("_", " ")
        return f"{signed} for leads from {'an' if kind_of[:1] in 'aeiou' else 'a'} {kind_of} campaign"
    if kind == "completeness":
        return f"{signed} when the lead has a {value.replace('_', ' ')}"
    if kind == "recency":
        return f"−1 point for every {value} days since the lead came in, at most {abs(int(points))} points"
    return f"{signed} ({kind}: {value})"


@st.fragment
def scoring_tab() -> None:
    principal = current_principal()
    rules = cached(Database.MARKETING, scoring.list_scoring_rules)
    st.caption(
        f"Every lead starts at {BASE_POINTS} points; each matching active rule adds its points (negative ones "
        "subtract) and the score is kept between 0 and 100. Only the best job-title keyword counts."
    )
    frame = pd.DataFrame([rule.model_dump() for rule in rules], columns=COLUMNS)
    frame["meaning"] = [describe_rule(r.kind, r.value, r.points) for r in frame.itertuples()]
    if not principal.has("marketing.write"):
        if frame.empty:
            st.info(f"No scoring rules yet: every lead scores {BASE_POINTS}. Marketers add rules here.")
            return
        st.dataframe(frame.drop(columns=["id"]), hide_index=True, width="stretch", column_config=_columns(True))
        return
    _rules_editor(frame)
    st.divider()
    _rescore_section()


def _columns(read_only: bool) -> dict:
    return {
        "id": None,
        "kind": st.column_config.SelectboxColumn(
            "Kind", options=list(RULE_KINDS), required=True, width="medium", disabled=read_only,
            format_func=lambda kind: KIND_LABELS.get(kind, kind),
        ),
        "value": st.column_config.TextColumn(
            "Value", required=True, disabled=read_only, max_chars=RULE_VALUE_MAX,
            help=f"Keyword, domain or campaign type; for 'completeness' one of {', '.join(COMPLETENESS_FIELDS)}; "
                 f"for 'company size' a band of employees {BAND_HINT}; for 'recency' the days per point lost.",
        ),
        "points": st.column_config.NumberColumn("Points", step=1, required=True, disabled=read_only,
                                                help="Whole points from -100 to 100; negative ones subtract."),
        "is_active": st.column_config.CheckboxColumn("Active", default=True, disabled=read_only),
        "meaning": st.column_config.TextColumn("In plain words", disabled=True, width="large"),
    }


def _rules_editor(frame: pd.DataFrame) -> None:
    st.markdown("**Rules** — edit cells, add a row at the bottom, then save. Switch a rule off to stop it counting.")
    # A new key after a save: the saved rules come from the database, and the editor forgets the edits it
    # held (kept, they would add a saved new row a second time).
    edited = st.data_editor(frame, hide_index=True, width="stretch", num_rows="add", key=form_key(EDITOR),
                            column_config=_columns(False), column_order=["kind", "value", "points", "is_active",
                                                                          "meaning"])
    changes = _changed_rules(frame, edited)
    if changes is None:
        return
    count = len(changes)
    st.caption(f"{count} unsaved change{'' if count == 1 else 's'}." if changes else "No unsaved changes.")
    saved = st.button("Save rules", type="primary", disabled=not changes, key="save_scoring_rules")
    if saved and submit(Database.MARKETING, scoring.save_scoring_rules, changes=changes) is not FAILED:
        clear_form(EDITOR)
        st.toast("Rules saved. Re-score all leads to apply them to existing leads.", icon=":material/check_circle:")
        rerun_section()


def _changed_rules(original: pd.DataFrame, edited: pd.DataFrame) -> list[tuple[int | None, ScoringRuleInput]] | None:
    """The new and changed rows as validated inputs; None (after showing why) when a row is not valid."""
    before = {int(row.id): row for row in original.itertuples()}
    changes = []
    for number, row in enumerate(edited.itertuples(), start=1):
        if pd.isna(row.kind) and pd.isna(row.value) and pd.isna(row.points):
            continue  # an empty row the person has not filled in yet
        rule_id = None if pd.isna(row.id) else int(row.id)
        values = {"kind": row.kind, "value": "" if pd.isna(row.value) else str(row.value),
                  "points": None if pd.isna(row.points) else int(row.points),
                  "is_active": True if pd.isna(row.is_active) else bool(row.is_active)}
        old = before.get(rule_id) if rule_id is not None else None
        if old is not None and (old.kind, str(old.value), int(old.points), bool(old.is_active)) == (
                values["kind"], values["value"], values["points"], values["is_active"]):
            continue
        try:
            changes.append((rule_id, parse(ScoringRuleInput, **values)))
        except ValidationError as error:
            st.error(f"Row {number}: {literal(error)}", icon=":material/error:")
            return None
    return changes


def _rescore_section() -> None:
    st.markdown("**Re-score all leads**")
    st.caption("New and imported leads are scored as they arrive. After changing the rules, apply them to every "
               "existing lead; this may take a while on large lists.")
    if st.button("Re-score all leads…", icon=":material/refresh:", key="rescore_all"):
        _confirm_rescore()
    outcome = st.session_state.pop("rescore_outcome", None)
    if outcome:
        st.success(f"Re-scored {outcome['leads']:,} leads; {outcome['changed']:,} changed score.",
                   icon=":material/check_circle:")


@st.dialog("Re-score all leads")
def _confirm_rescore() -> None:
    st.write("Apply the active rules to every lead now? Scores and their reasons are replaced.")
    if not st.button("Re-score", type="primary", key="confirm_rescore"):
        return
    bar = st.progress(0.0, text="Starting…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0, text=f"{done:,} of {total:,} leads")

    outcome = submit(Database.MARKETING, scoring.rescore_all, today=today_utc(), progress=progress)
    if outcome is not FAILED:
        st.session_state["rescore_outcome"] = outcome
        st.rerun()  # the whole page: the dialog closes, and every list shows the new scores
