"""The CSV importer widget: upload, map columns to fields, preview, check, import with a progress bar.

`render(entity="companies")` works for any registered importer (companies, contacts, deals; leads
later). Everything the file says is shown through st.dataframe or escaped, never as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from nexus360.auth.audit import service as audit
from nexus360.common.errors import DatabaseUnavailable
from nexus360.common.exporting import to_csv_bytes
from nexus360.importing import flows
from nexus360.importing.core import ImporterSpec, ImportFileError, ImportSummary, Progress, RowOutcome
from nexus360.importing.registry import get_importer
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import current_principal, friendly_errors

MAX_UPLOAD_MB = 100
NOT_IMPORTED = "— not imported —"
ACTIONS = {"insert": "New", "update": "Update", "unchanged": "Unchanged", "error": "Problem"}


def render(entity: str, *, key: str | None = None, options: Mapping[str, Any] | None = None) -> ImportSummary | None:
    """Draw the importer for `entity`; returns the summary of the import just run, else None."""
    spec = get_importer(entity)
    key = key or f"import_{entity}"
    principal = current_principal()
    if not principal.has(spec.permission):
        st.info(f"Importing {spec.title.lower()} needs the '{spec.permission}' permission.")
        return None
    st.caption(
        f"Rows find the {spec.title.lower()} they update by {spec.natural_key}. Blank cells never erase what is "
        "stored, and importing the same file again changes nothing."
    )
    uploaded = st.file_uploader(f"CSV file of {spec.title.lower()}", type=["csv", "txt"], key=f"{key}_file",
                                help=f"Comma, semicolon or tab separated; UTF-8 or Windows encoding; up to "
                                     f"{MAX_UPLOAD_MB} MB.")
    if uploaded is None:
        _show_result(st.session_state.get(f"{key}_result"), key)
        return None
    if uploaded.size > MAX_UPLOAD_MB * 1024 * 1024:
        st.error(f"This file is {uploaded.size / 1024 / 1024:,.0f} MB; the page takes files up to {MAX_UPLOAD_MB} MB. "
                 f"Split it, or import it with `python -m nexus360 import {spec.entity} FILE.csv`.")
        return None
    if st.session_state.get(f"{key}_file_id") != uploaded.file_id:  # a new file: forget the last one's result
        st.session_state[f"{key}_file_id"] = uploaded.file_id
        st.session_state.pop(f"{key}_result", None)
    try:
        layout = flows.inspect_file(spec.entity, _rewound(uploaded))
    except ImportFileError as error:
        st.error(escape_markdown(str(error)))
        return None
    mapping = _mapping_form(spec, layout, f"{key}_{uploaded.file_id}")
    missing = [field.label for field in spec.fields if field.required and not mapping.get(field.name)]
    if missing:
        st.warning(f"Choose the column for: {', '.join(missing)}.")
        return None
    _preview(spec, uploaded, mapping, key, options)
    summary = _buttons(spec, uploaded, mapping, key, options)
    _show_result(st.session_state.get(f"{key}_result"), key)
    return summary


def _rewound(uploaded: Any) -> Any:
    uploaded.seek(0)
    return uploaded


def _mapping_form(spec: ImporterSpec, layout: flows.FileLayout, key: str) -> dict[str, str]:
    """One select box per field, pre-filled with the column that matched automatically."""
    st.markdown("**Columns**: which column fills each field (\\* required)")
    choices = [NOT_IMPORTED, *[name for name in layout.header if name]]
    mapping: dict[str, str] = {}
    columns = st.columns(3)
    for index, field in enumerate(spec.fields):
        guessed = layout.columns.get(field.name)
        chosen = columns[index % 3].selectbox(
            f"{field.label}{' *' if field.required else ''}", choices,
            index=choices.index(guessed) if guessed in choices else 0,
            key=f"{key}_map_{field.name}", help=field.help or None,
        )
        mapping[field.name] = "" if chosen == NOT_IMPORTED else chosen
    return mapping


def _preview(spec: ImporterSpec, uploaded: Any, mapping: dict[str, str], key: str, options: Any) -> None:
    """The first rows as they will be imported, each with its problem, if any (a dry run)."""
    cache_key = (uploaded.file_id, tuple(sorted(mapping.items())))
    cached = st.session_state.get(f"{key}_preview")
    if cached is None or cached[0] != cache_key:
        with friendly_errors():
            try:
                outcomes = flows.preview_file(spec.entity, _rewound(uploaded), principal=current_principal(),
                                              mapping=mapping, options=options)
            except ImportFileError as error:
                st.error(escape_markdown(str(error)))
                return
        cached = (cache_key, outcomes)
        st.session_state[f"{key}_preview"] = cached
    st.markdown("**Preview** of the first rows")
    st.dataframe(_outcome_frame(spec, cached[1]), hide_index=True, width="stretch")


def _outcome_frame(spec: ImporterSpec, outcomes: list[RowOutcome]) -> pd.DataFrame:
    rows = []
    for outcome in outcomes:
        row = {"Line": outcome.line, "Action": ACTIONS[outcome.action], "Problem": outcome.reason or ""}
        for field in spec.fields:
            value = outcome.values.get(field.name)
            row[field.label] = "" if value is None else str(value)
        rows.append(row)
    return pd.DataFrame(rows, columns=["Line", "Action", "Problem", *(field.label for field in spec.fields)])


def _buttons(spec: ImporterSpec, uploaded: Any, mapping: dict[str, str], key: str, options: Any) -> Any:
    check, run = st.columns(2)
    dry_run = check.button("Check the whole file", key=f"{key}_check", width="stretch",
                           help="Reads every row and reports what would happen; writes nothing.")
    real = run.button(f"Import {spec.title.lower()}", key=f"{key}_run", type="primary", width="stretch")
    if not (dry_run or real):
        return None
    bar = st.progress(0.0, text="Starting…")

    def show(progress: Progress) -> None:
        bar.progress(progress.fraction or 0.0, text=f"{progress.rows:,} rows read")

    try:
        with friendly_errors():  # refusals and other errors: a clear message, and the script stops
            try:
                summary = flows.import_file(spec.entity, _rewound(uploaded), principal=current_principal(),
                                            audit_log=audit.record, mapping=mapping, dry_run=dry_run, progress=show,
                                            options=options, source_name=uploaded.name, channel="page")
            except ImportFileError as error:
                st.error(escape_markdown(str(error)))
                return None
            except DatabaseUnavailable as error:
                st.error(f"{error} The batches imported so far are saved; import the same file again to finish.")
                return None
    finally:
        bar.empty()
    st.session_state[f"{key}_result"] = summary
    return summary


def _show_result(summary: ImportSummary | None, key: str) -> None:
    """Counts, and the rows that were not imported with their line and reason (downloadable)."""
    if summary is None:
        return
    st.markdown("**Check of the whole file** (nothing was written)" if summary.dry_run else "**Import finished**")
    new, updated, unchanged, skipped = st.columns(4)
    new.metric("New", f"{summary.inserted:,}")
    updated.metric("Updated", f"{summary.updated:,}")
    unchanged.metric("Unchanged", f"{summary.unchanged:,}")
    skipped.metric("Not imported", f"{summary.skipped:,}")
    if not summary.errors:
        st.success("Every row is fine." if summary.dry_run else "Every row was imported.")
        return
    errors = pd.DataFrame([error.model_dump() for error in summary.errors], columns=["line", "reason"])
    errors.columns = ["Line", "Reason"]
    if summary.errors_truncated:
        st.caption(f"The first {len(errors):,} of {summary.skipped:,} problems:")
    st.dataframe(errors, hide_index=True, width="stretch")
    st.download_button("Download the problems (CSV)", to_csv_bytes(errors), file_name=f"{summary.entity}-problems.csv",
                       mime="text/csv", key=f"{key}_problems")
