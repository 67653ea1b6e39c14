"""What the importer shows of rows: the preview of the first rows, and the summary of a run (counts, what was
created, rows not imported and values left blank, each downloadable). Everything a file says is shown in
tables (plain text) or through `literal()`, never as Markdown or HTML."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.common.exporting import to_csv_bytes
from nexus360.importing.core import ImporterSpec, ImportSummary, RowOutcome
from nexus360.ui.formatting import literal

ACTIONS = {"insert": "New", "update": "Update", "unchanged": "Unchanged", "error": "Problem"}
PREVIEW_COLUMNS = {
    "Line": st.column_config.NumberColumn("Line", width="small"),
    "Problem": st.column_config.TextColumn("Problem", width="large"),
    "Left blank": st.column_config.TextColumn("Left blank", width="medium",
                                              help="Values that name nothing, left blank: the column and the value"),
}


def outcome_frame(spec: ImporterSpec, outcomes: list[RowOutcome]) -> pd.DataFrame:
    """One row per previewed line: what happens to it, its problem or what is left blank, its values."""
    rows = []
    for outcome in outcomes:
        row = {"Line": outcome.line, "Action": ACTIONS[outcome.action], "Problem": outcome.reason or "",
               "Left blank": "; ".join(f"{blank.column}: {blank.value}"
                                       for blank in (*outcome.warnings, *outcome.blank_by_choice))}
        for field in spec.fields:
            value = outcome.values.get(field.name)
            row[field.label] = "" if value is None else str(value)
        rows.append(row)
    return pd.DataFrame(rows, columns=["Line", "Action", "Problem", "Left blank", *(f.label for f in spec.fields)])


def show_summary(summary: ImportSummary | None, key: str) -> None:
    """Counts, what was created, and the rows not imported and values left blank (downloadable)."""
    if summary is None:
        return
    st.markdown("**Check of the whole file** (nothing was written)" if summary.dry_run else "**Import finished**")
    new, updated, unchanged, skipped, blank = st.columns(5)
    new.metric("New", f"{summary.inserted:,}")
    updated.metric("Updated", f"{summary.updated:,}")
    unchanged.metric("Unchanged", f"{summary.unchanged:,}")
    skipped.metric("Not imported", f"{summary.skipped:,}")
    blank.metric("Warnings", f"{summary.warned:,}",
                 help="Values that name nothing and had no answer: left blank, their rows imported. Values you "
                      "chose to leave blank are not counted.")
    for name, values in summary.created.items():
        verb = "To be created" if summary.dry_run else "Created"
        st.success(f"{verb} as new {literal(name)}: {literal(', '.join(values))}", icon=":material/add_circle:")
    if not summary.errors and not summary.warnings:
        st.success("Every row is fine." if summary.dry_run else "Every row was imported.")
        return
    if summary.errors:
        problems = pd.DataFrame([(error.line, error.reason) for error in summary.errors], columns=["Line", "Reason"])
        _table("Rows not imported", problems, summary.skipped, summary.errors_truncated,
               f"{summary.entity}-problems.csv", f"{key}_problems")
    if summary.warnings:
        blanks = pd.DataFrame([(w.line, w.column, w.value, w.reason) for w in summary.warnings],
                              columns=["Line", "Column", "Value", "Reason"])
        _table("Values left blank without an answer (the rows were imported)", blanks, summary.warned,
               summary.warnings_truncated, f"{summary.entity}-left-blank.csv", f"{key}_blanks")


def _table(title: str, frame: pd.DataFrame, total: int, truncated: bool, file_name: str, key: str) -> None:
    st.markdown(f"**{title}**")
    if truncated:
        st.caption(f"The first {len(frame):,} of {total:,}:")
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(f"Download: {title.split(' (')[0].lower()} (CSV)", to_csv_bytes(frame), file_name=file_name,
                       mime="text/csv", key=key)
