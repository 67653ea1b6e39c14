"""Domain-free import: run an importer over a file. Check the whole file first (`scan`), create what the person
chose to create, then one transaction per batch. A preview runs the first rows as a dry run. The fields,
plans and batches are in `spec`, the summaries in `summary`; both are re-exported here.

Nothing is written before the whole file was read: a file that cannot be read to its end changes nothing.
A database error half-way stops the run with a plain message (which batches were saved, that running the
same file again finishes it); the statement's parameters, which hold the rows' values, are never logged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from nexus360.common.errors import AuthorizationError, Nexus360Error, ValidationError
from nexus360.importing.parsers import (
    Formats,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_email,
    parse_int,
    parse_text,
)
from nexus360.importing.reader import ImportFileError
from nexus360.importing.scan import ScanReport, effective_formats, scan_file
from nexus360.importing.spec import (
    BATCH_SIZE,
    PREVIEW_ROWS,
    ActingUser,
    BatchHandler,
    FieldSpec,
    ImporterSpec,
    ImportPlan,
    Progress,
    SessionFactory,
    SourceRow,
    guess_columns,
    match_columns,
    normalise_header,
    parse_mapping,
    parse_row,
    read_batches,
    require_permission,
)
from nexus360.importing.summary import ImportSummary, RowError, RowOutcome, RowWarning, UnknownValue
from nexus360.importing.tables import Source, open_table
from nexus360.importing.values import Reference, Unresolved, ValueChoices

open_csv = open_table  # its older name

__all__ = [  # what importers and callers use, from one place
    "ActingUser", "BatchHandler", "FieldSpec", "ImporterSpec", "ImportPlan", "Progress", "SessionFactory",
    "SourceRow", "guess_columns", "match_columns", "normalise_header", "parse_mapping", "parse_row",
    "read_batches", "require_permission", "ImportFileError", "open_csv", "open_table", "Formats",
    "parse_bool", "parse_date", "parse_decimal", "parse_email", "parse_int", "parse_text",
    "ImportSummary", "RowError", "RowOutcome", "RowWarning", "UnknownValue", "ScanReport",
    "run_import", "check_file", "preview_import", "ImportInterrupted",
]

logger = logging.getLogger(__name__)


class ImportInterrupted(Nexus360Error):
    """A batch failed in the database after earlier batches were saved."""


def run_import(
    spec: ImporterSpec,
    source: Source,
    *,
    principal: ActingUser,
    sessions: SessionFactory,
    mapping: Mapping[str, str] | None = None,
    plan: ImportPlan | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[Progress], None] | None = None,
    options: Mapping[str, Any] | None = None,
    summary: ImportSummary | None = None,
    checked: ScanReport | None = None,
) -> ImportSummary:
    """Import a CSV file or workbook: check it whole (unless `checked` is that check's report), then batch by
    batch, each in its own transaction."""
    require_permission(principal, spec.permission)
    plan = plan or ImportPlan()
    summary = summary if summary is not None else ImportSummary(entity=spec.entity, dry_run=dry_run)
    handler = spec.start(sessions, principal, options or {})
    start = _position(source)
    with open_table(source, sheet=plan.sheet) as table:
        columns = match_columns(table.header, spec.fields, mapping)
        names = {name: table.header[index] for name, index in columns.items()}
        if checked is None:  # else the caller checked these very bytes with this mapping
            checked = scan_file(table, columns, spec.fields, handler, sessions, spec.database,
                                batch_size=batch_size, progress=progress)
    choices = _without_stale_targets(plan.choices, handler, sessions, spec, summary)
    report = checked.with_choices(choices)
    formats = effective_formats(plan.formats, report.detected)
    _describe(summary, report, plan.formats, formats)
    to_create = values_to_create(handler, report, principal)
    if not dry_run:
        summary.created = _create(handler, to_create, sessions, spec, principal)
    else:
        summary.created = {name: list(texts) for name, texts in to_create.items()}
    handler.configure(choices, formats, pretend_created=dry_run, columns=names)
    _rewind(source, start)
    state = Progress(phase="import")
    with open_table(source, sheet=plan.sheet) as table:
        for batch in read_batches(table, columns, batch_size=batch_size):
            try:
                with sessions(spec.database) as session:
                    outcomes = handler.import_batch(session, batch, dry_run=dry_run)
            except SQLAlchemyError as error:
                raise _interrupted(error, spec, batch[0].line, summary) from None
            summary.tally(outcomes)  # only once the batch is committed
            state.rows, state.fraction = state.rows + len(batch), table.fraction
            if progress is not None:
                progress(state)
    return summary


def check_file(
    spec: ImporterSpec, source: Source, *, principal: ActingUser, sessions: SessionFactory,
    mapping: Mapping[str, str] | None = None, plan: ImportPlan | None = None, batch_size: int = BATCH_SIZE,
    progress: Callable[[Progress], None] | None = None, options: Mapping[str, Any] | None = None,
) -> ScanReport:
    """Read the whole file, writing nothing: its formats and the reference values that name nothing."""
    require_permission(principal, spec.permission)
    plan = plan or ImportPlan()
    handler = spec.start(sessions, principal, options or {})
    with open_table(source, sheet=plan.sheet) as table:
        columns = match_columns(table.header, spec.fields, mapping)
        report = scan_file(table, columns, spec.fields, handler, sessions, spec.database,
                           batch_size=batch_size, progress=progress)
    return report.with_choices(plan.choices)


def preview_import(
    spec: ImporterSpec, source: Source, *, principal: ActingUser, sessions: SessionFactory,
    mapping: Mapping[str, str] | None = None, plan: ImportPlan | None = None, rows: int = PREVIEW_ROWS,
    options: Mapping[str, Any] | None = None, checked: ScanReport | None = None,
) -> list[RowOutcome]:
    """The first `rows` rows as they would be imported with `plan` (a dry run: nothing is written); numbers and
    dates are read as the import will read them: as chosen, else as the whole file (`checked`) shows."""
    require_permission(principal, spec.permission)
    plan = plan or ImportPlan()
    formats = effective_formats(plan.formats, checked.detected) if checked is not None else plan.formats
    handler = spec.start(sessions, principal, options or {})
    with open_table(source, sheet=plan.sheet) as table:
        columns = match_columns(table.header, spec.fields, mapping)
        handler.configure(plan.choices, formats, pretend_created=True,
                          columns={name: table.header[index] for name, index in columns.items()})
        first = next(read_batches(table, columns, batch_size=rows), [])
    with sessions(spec.database) as session:
        return handler.import_batch(session, first, dry_run=True)


def values_to_create(handler: BatchHandler, report: ScanReport, principal: ActingUser) -> dict[str, list[str]]:
    """Field -> the unknown values the person chose to create; refused if the field cannot be created or the
    person may not create it (before anything is written)."""
    wanted: dict[str, list[str]] = {}
    for name, values in report.unknown.items():
        texts = [value.value for value in values if value.decision and value.decision.action == "create"]
        if not texts:
            continue
        reference = handler.references[name]
        if reference.permission_to_create is None:
            raise ValidationError(f"{reference.noun.capitalize()} values cannot be created by an import "
                                  f"('{texts[0]}'): map them to an existing one, leave them blank or skip those rows.")
        if not reference.can_create(principal):
            raise AuthorizationError(reference.permission_to_create, user_email=principal.email)
        wanted[name] = texts
    return wanted


def _create(handler: BatchHandler, wanted: Mapping[str, list[str]], sessions: SessionFactory, spec: ImporterSpec,
            principal: ActingUser) -> dict[str, list[str]]:
    created = {}
    for name, texts in wanted.items():
        reference = handler.references[name]
        with sessions(spec.database) as session:
            reference.prepare(session, texts)
            new = [text for text in texts if not _names_something(reference, text)]  # created by an earlier run
            if new:
                reference.create(session, principal, new)
                created[name] = new
    return created


def _names_something(reference: Reference, text: str) -> bool:
    try:
        reference.resolve(text)
    except Unresolved:
        return False
    return True


def _without_stale_targets(choices: ValueChoices, handler: BatchHandler, sessions: SessionFactory,
                           spec: ImporterSpec, summary: ImportSummary) -> ValueChoices:
    """`choices` less those mapping to a target that no longer exists (each said in a note)."""
    kept = ValueChoices(values={}, unknown=dict(choices.unknown))
    with sessions(spec.database) as session:
        for name, decisions in choices.values.items():
            reference = handler.references.get(name)
            if reference is None:
                continue
            targets = {d.target for d in decisions.values() if d.action == "map" and d.target is not None}
            alive = reference.existing(session, targets) if targets else set()
            for key, decision in decisions.items():
                if decision.action == "map" and decision.target not in alive:
                    summary.notes.append(f"The choice to map {reference.noun} '{key}' to '{decision.label or ''}' "
                                         "was dropped: that no longer exists.")
                    continue
                kept.values.setdefault(name, {})[key] = decision
    return kept


def _describe(summary: ImportSummary, report: ScanReport, chosen: Formats, formats: Formats) -> None:
    summary.unknown = report.unknown
    summary.notes = report.notes_for(chosen) + summary.notes
    summary.formats = {"decimal_mark": formats.decimal_mark, "date_order": formats.date_order}
    for name, rows in report.unlisted_rows.items():
        summary.notes.append(f"{name}: {rows:,} further rows hold values that name nothing (not listed).")


def _interrupted(error: SQLAlchemyError, spec: ImporterSpec, line: int, summary: ImportSummary) -> ImportInterrupted:
    """The message for a failed batch; the log gets the error's kind and code only (its text holds row values)."""
    reference = uuid.uuid4().hex[:8]
    original = getattr(error, "orig", None)
    logger.error("import %s of %s stopped at the batch from line %d: %s (SQLSTATE %s)", reference, spec.entity,
                 line, type(original or error).__name__, getattr(original, "sqlstate", None))
    saved = (f"the {summary.rows:,} rows before it were saved; import the same file again to finish (saved rows "
             "are recognised, not doubled)") if summary.rows and not summary.dry_run else "nothing was saved"
    return ImportInterrupted(f"The import stopped at the batch starting on line {line:,}: the database refused it "
                             f"(error reference {reference}). Its rows were not saved; {saved}.")


def _position(source: Source) -> int | None:
    tell = getattr(source, "tell", None)
    return tell() if callable(tell) else None


def _rewind(source: Source, start: int | None) -> None:
    if start is not None:
        source.seek(start)  # type: ignore[union-attr]
