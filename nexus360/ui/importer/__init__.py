"""The importer widget: upload a CSV file or an Excel workbook, map columns to fields, check the whole file,
answer what its unknown values mean, preview, then import with a progress bar.

`render(entity="companies")` works for any registered importer. Nothing is written before the person clicks
Import; their answers are remembered for the next file with the same columns (and offered again, so the
second import of the same export asks nothing). Everything the file says is shown through st.dataframe,
select box options or `literal()`, never as Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from nexus360.auth.audit import service as audit
from nexus360.common.errors import DatabaseUnavailable
from nexus360.importing import flows
from nexus360.importing.core import (
    ImporterSpec,
    ImportFileError,
    ImportPlan,
    ImportSummary,
    Progress,
    normalise_header,
)
from nexus360.importing.memory import Remembered
from nexus360.importing.parsers import DATE_ORDERS, DECIMAL_MARKS, Formats
from nexus360.importing.registry import get_importer
from nexus360.importing.scan import ScanReport
from nexus360.ui.formatting import literal
from nexus360.ui.importer.choices import render_choices
from nexus360.ui.importer.results import PREVIEW_COLUMNS, outcome_frame, show_summary
from nexus360.ui.session import current_principal, friendly_errors

MAX_UPLOAD_MB = 100
NOT_IMPORTED = "— not imported —"
PHASES = {"check": "Checking the file", "import": "Importing"}
CACHES = ("scanned", "preview", "references", "remembered")  # per uploaded file; dropped with it


def render(entity: str, *, key: str | None = None, options: Mapping[str, Any] | None = None) -> ImportSummary | None:
    """Draw the importer for `entity`; returns the summary of a check of the whole file just run, else None (an
    import reruns the page, which then shows its summary and a preview of what is now stored)."""
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
    uploaded = st.file_uploader(
        f"CSV file or Excel workbook of {spec.title.lower()}", type=["csv", "txt", "tsv", "xlsx"], key=f"{key}_file",
        help=f"Comma, semicolon or tab separated, UTF-8 or Windows encoding, or .xlsx; up to {MAX_UPLOAD_MB} MB.")
    if uploaded is None:
        show_summary(st.session_state.get(f"{key}_result"), key)
        return None
    if uploaded.size > MAX_UPLOAD_MB * 1024 * 1024:
        st.error(f"This file is {uploaded.size / 1024 / 1024:,.0f} MB; the page takes files up to {MAX_UPLOAD_MB} MB. "
                 f"Split it, or import it with `python -m nexus360 import {spec.entity} FILE`.")
        return None
    if st.session_state.get(f"{key}_file_id") != uploaded.file_id:  # a new file: forget the last one's work
        st.session_state[f"{key}_file_id"] = uploaded.file_id
        for name in (*CACHES, "result"):
            st.session_state.pop(f"{key}_{name}", None)
    file_key = f"{key}_{uploaded.file_id}"
    try:
        layout = _layout(spec, uploaded, file_key)
    except ImportFileError as error:
        st.error(literal(str(error)))
        return None
    remembered = _cached(key, "remembered", layout.header,
                         lambda: flows.recall(spec.entity, layout.header, principal=principal)) or Remembered()
    mapping = _mapping_form(spec, layout, file_key, remembered)
    missing = [field.label for field in spec.fields if field.required and not mapping.get(field.name)]
    if missing:
        st.warning(f"Choose the column for: {', '.join(missing)}.")
        return None
    _refresh_after_related(spec, key)
    report = _check(spec, uploaded, layout, mapping, key, options)
    if report is None:
        return None
    formats = _formats_form(report, file_key, remembered)
    for note in report.notes_for(formats):
        st.info(literal(note), icon=":material/info:")
    infos = _cached(key, "references", options, lambda: flows.references(spec.entity, principal=principal,
                                                                          options=options))
    report = report.with_choices(remembered.choices)
    choices = render_choices(report.unknown, infos, spec.labels, remembered.choices, file_key,
                             import_related=lambda related: _import_related(related, key))
    plan = ImportPlan(formats=formats, choices=choices, sheet=layout.sheet if layout.sheets else None)
    _preview(spec, uploaded, mapping, plan, report, key, options)
    summary = _buttons(spec, uploaded, mapping, plan, report, key, options)
    show_summary(st.session_state.get(f"{key}_result"), key)
    return summary


def _rewound(uploaded: Any) -> Any:
    uploaded.seek(0)
    return uploaded


def _cached(key: str, name: str, argument: Any, compute: Any) -> Any:
    """`compute()` once per uploaded file and `argument` (kept in the session until the file changes)."""
    stored = st.session_state.get(f"{key}_{name}")
    marker = repr(argument)
    if stored is None or stored[0] != marker:
        with friendly_errors():
            stored = (marker, compute())
        st.session_state[f"{key}_{name}"] = stored
    return stored[1]


def _layout(spec: ImporterSpec, uploaded: Any, file_key: str) -> flows.FileLayout:
    """The file's columns; a workbook with several sheets gets a choice of sheet."""
    layout = flows.inspect_file(spec.entity, _rewound(uploaded))
    if len(layout.sheets) > 1:
        sheet = st.selectbox("Sheet", layout.sheets, key=f"{file_key}_sheet")
        if sheet != layout.sheet:
            layout = flows.inspect_file(spec.entity, _rewound(uploaded), sheet=sheet)
    return layout


def _mapping_form(spec: ImporterSpec, layout: flows.FileLayout, key: str, remembered: Remembered) -> dict[str, str]:
    """One select box per field, pre-filled with the column chosen last time, else the one that matched."""
    st.markdown("**Columns**: which column fills each field (\\* required)")
    choices = [NOT_IMPORTED, *[name for name in layout.header if name]]
    by_header = {normalise_header(name): name for name in layout.header if name}
    mapping: dict[str, str] = {}
    columns = st.columns(3)
    for index, field in enumerate(spec.fields):
        guessed = layout.columns.get(field.name)
        if field.name in remembered.mapping:  # the same columns, maybe in another case or order
            earlier = remembered.mapping[field.name]
            guessed = by_header.get(normalise_header(earlier), NOT_IMPORTED) if earlier else NOT_IMPORTED
        chosen = columns[index % 3].selectbox(
            f"{field.label}{' *' if field.required else ''}", choices,
            index=choices.index(guessed) if guessed in choices else 0,
            key=f"{key}_map_{field.name}", help=field.help or None,
        )
        mapping[field.name] = "" if chosen == NOT_IMPORTED else chosen
    return mapping


def _check(spec: ImporterSpec, uploaded: Any, layout: flows.FileLayout, mapping: dict[str, str], key: str,
           options: Any) -> ScanReport | None:
    """The whole file read once (cached for this file, sheet and mapping), with a progress bar."""
    marker = repr((layout.sheet, sorted(mapping.items()), options))
    stored = st.session_state.get(f"{key}_scanned")
    if stored is not None and stored[0] == marker:
        return stored[1]
    bar = st.progress(0.0, text="Checking the file…")
    try:
        with friendly_errors():
            report = flows.check_file(spec.entity, _rewound(uploaded), principal=current_principal(), mapping=mapping,
                                      plan=ImportPlan(sheet=layout.sheet if layout.sheets else None),
                                      options=options, progress=_bar(bar))
    except ImportFileError as error:
        st.error(literal(str(error)))
        return None
    finally:
        bar.empty()
    st.session_state[f"{key}_scanned"] = (marker, report)
    return report


def _bar(bar: Any) -> Any:
    def show(progress: Progress) -> None:
        bar.progress(progress.fraction or 0.0, text=f"{PHASES[progress.phase]}: {progress.rows:,} rows")

    return show


def _formats_form(report: ScanReport, key: str, remembered: Remembered) -> Formats:
    """How the file writes numbers and dates: as detected, unless the person says otherwise."""
    detected = report.detected
    marks = {"": f"As the file shows ({_mark_words(detected.decimal_mark)})", **{
        mark: f"Decimal {'point' if mark == '.' else 'comma'}: {example}" for mark, example in DECIMAL_MARKS.items()}}
    orders = {"": f"As the file shows ({DATE_ORDERS[detected.date_order] if detected.date_order else 'day first'})",
              **{order: words.capitalize() for order, words in DATE_ORDERS.items()}}
    left, right = st.columns(2)
    mark = left.selectbox("Numbers are written", list(marks), format_func=marks.__getitem__, key=f"{key}_decimal",
                          index=list(marks).index(remembered.decimal_mark or ""))
    order = right.selectbox("Dates like 3/1/2017 are read", list(orders), format_func=orders.__getitem__,
                            key=f"{key}_dates", index=list(orders).index(remembered.date_order or ""))
    return Formats(decimal_mark=mark or None, date_order=order or None)  # type: ignore[arg-type]


def _mark_words(mark: str | None) -> str:
    return {".": "1,234.56", ",": "1.234,56"}.get(mark or "", "each number by its shape")


def _import_related(related: str, key: str) -> None:
    """The importer of the file that supplies a column's records (see `_refresh_after_related`)."""
    render(related, key=f"{key}_{related}")


def _refresh_after_related(spec: ImporterSpec, key: str) -> None:
    """Once a related file was imported (in `_import_related`), this file is checked again."""
    for related in set(spec.related.values()):
        count = st.session_state.get(f"{key}_{related}_imports", 0)
        if st.session_state.get(f"{key}_seen_{related}", 0) != count:
            for name in ("scanned", "preview"):
                st.session_state.pop(f"{key}_{name}", None)
        st.session_state[f"{key}_seen_{related}"] = count


def _preview(spec: ImporterSpec, uploaded: Any, mapping: dict[str, str], plan: ImportPlan, report: ScanReport,
             key: str, options: Any) -> None:
    """The first rows as they will be imported with the answers given (a dry run)."""
    marker = repr((sorted(mapping.items()), plan.formats, plan.sheet, plan.choices.model_dump(), report.detected))
    cached = st.session_state.get(f"{key}_preview")
    if cached is None or cached[0] != marker:
        with friendly_errors():
            try:
                outcomes = flows.preview_file(spec.entity, _rewound(uploaded), principal=current_principal(),
                                              mapping=mapping, plan=plan, options=options, checked=report)
            except ImportFileError as error:
                st.error(literal(str(error)))
                return
        cached = (marker, outcomes)
        st.session_state[f"{key}_preview"] = cached
    st.markdown("**Preview** of the first rows")
    st.dataframe(outcome_frame(spec, cached[1]), hide_index=True, width="stretch", column_config=PREVIEW_COLUMNS)


def _buttons(spec: ImporterSpec, uploaded: Any, mapping: dict[str, str], plan: ImportPlan, report: ScanReport,
             key: str, options: Any) -> ImportSummary | None:
    check, run = st.columns(2)
    dry_run = check.button("Check the whole file", key=f"{key}_check", width="stretch",
                           help="Reads every row and reports what would happen; writes nothing.")
    real = run.button(f"Import {spec.title.lower()}", key=f"{key}_run", type="primary", width="stretch")
    if not (dry_run or real):
        return None
    bar = st.progress(0.0, text="Starting…")
    try:
        with friendly_errors():  # refusals and other errors: a clear message, and the script stops
            try:
                summary = flows.import_file(spec.entity, _rewound(uploaded), principal=current_principal(),
                                            audit_log=audit.record, mapping=mapping, plan=plan, dry_run=dry_run,
                                            progress=_bar(bar), options=options, source_name=uploaded.name,
                                            channel="page", checked=report)
            except ImportFileError as error:
                st.error(literal(str(error)))
                return None
            except DatabaseUnavailable as error:
                st.error(f"{error} The batches imported so far are saved; import the same file again to finish.")
                return None
    finally:
        bar.empty()
    st.session_state[f"{key}_result"] = summary
    if not dry_run:
        st.session_state[f"{key}_imports"] = st.session_state.get(f"{key}_imports", 0) + 1
        for name in CACHES:  # checked again: the preview now shows what is stored
            st.session_state.pop(f"{key}_{name}", None)
        st.rerun()
    return summary
