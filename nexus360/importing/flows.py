"""Imports as the page and the CLI run them: one transaction per batch as the acting user, audited, with the
person's answers remembered for the next file with the same columns.

The rows go to the entity's database and the audit event to auth; the two may live on different
servers, so they cannot share a transaction. Batches are idempotent (rows are matched by natural
key), so an import that stopped half-way is completed by running it again.

Importing sits below the domains and may not import auth: the caller hands in who imports (auth's
Principal) and where runs are recorded (`nexus360.auth.audit.service.record`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from nexus360.common.errors import AuthorizationError, DatabaseUnavailable
from nexus360.db import Database, session_scope
from nexus360.importing import answers, memory
from nexus360.importing.core import (
    BATCH_SIZE,
    PREVIEW_ROWS,
    ActingUser,
    ImportPlan,
    Progress,
    SessionFactory,
    guess_columns,
    preview_import,
    run_import,
)
from nexus360.importing.core import check_file as _check_file
from nexus360.importing.registry import get_importer
from nexus360.importing.scan import ScanReport
from nexus360.importing.summary import ImportSummary, RowOutcome
from nexus360.importing.tables import Source, open_table
from nexus360.importing.values import Term, ValueChoices

ALLOWED, REFUSED, FAILED = "allowed", "refused", "failed"  # the audit log's results (auth.audit)


class AuditLog(Protocol):
    """Records one event in the auth database's audit log: `nexus360.auth.audit.service.record`."""

    def __call__(self, session: Session, *, user_id: int | None, action: str, result: str,
                 object_type: str | None = None, object_id: object | None = None,
                 details: dict[str, Any] | None = None) -> None: ...


@dataclass(frozen=True)
class FileLayout:
    """What the page shows before an import: the file's columns and which field each one fills."""

    header: list[str]
    encoding: str
    delimiter: str
    columns: dict[str, str | None]  # field name -> column name (None: no column matched)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReferenceInfo:
    """A reference column as the page offers choices for its unknown values."""

    noun: str
    required: bool
    targets: list[Term] | None  # None: too many to list (companies); only suggestions are offered
    can_create: bool
    related: str | None  # the entity whose file supplies its records, if any


def sessions_as(principal: ActingUser) -> SessionFactory:
    """Open each transaction as `principal` (row-level security and triggers see who acts)."""

    @contextmanager
    def open_session(database: Database) -> Iterator[Session]:
        with session_scope(database, actor=principal) as session:
            yield session

    return open_session


def inspect_file(entity: str, source: Source, *, mapping: Mapping[str, str] | None = None,
                 sheet: str | None = None) -> FileLayout:
    """Read a file's header and guess which column fills which field (ImportFileError if unreadable)."""
    spec = get_importer(entity)
    with open_table(source, sheet=sheet) as table:
        matched = guess_columns(table.header, spec.fields, mapping)
        columns = {field.name: (table.header[matched[field.name]] if field.name in matched else None)
                   for field in spec.fields}
        return FileLayout(table.header, table.encoding, table.delimiter, columns, table.sheet, table.sheets)


def references(entity: str, *, principal: ActingUser, options: Mapping[str, Any] | None = None
               ) -> dict[str, ReferenceInfo]:
    """The entity's reference columns: what their unknown values can be mapped to, and who may create them."""
    spec = get_importer(entity)
    handler = spec.start(sessions_as(principal), principal, options or {})
    return {
        name: ReferenceInfo(noun=reference.noun, required=spec.field_named(name).required,
                            targets=reference.targets(), can_create=reference.can_create(principal),
                            related=spec.related.get(name))
        for name, reference in handler.references.items()
    }


def check_file(
    entity: str, source: Source, *, principal: ActingUser, mapping: Mapping[str, str] | None = None,
    plan: ImportPlan | None = None, options: Mapping[str, Any] | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> ScanReport:
    """Read the whole file, writing nothing: its formats and the values of reference columns that name nothing."""
    return _check_file(get_importer(entity), source, principal=principal, sessions=sessions_as(principal),
                       mapping=mapping, plan=plan, options=options, progress=progress)


def preview_file(
    entity: str, source: Source, *, principal: ActingUser, mapping: Mapping[str, str] | None = None,
    plan: ImportPlan | None = None, rows: int = PREVIEW_ROWS, options: Mapping[str, Any] | None = None,
    checked: ScanReport | None = None,
) -> list[RowOutcome]:
    """The first rows as they would be imported, with each row's problem; nothing is written."""
    return preview_import(get_importer(entity), source, principal=principal, sessions=sessions_as(principal),
                          mapping=mapping, plan=plan, rows=rows, options=options, checked=checked)


def choices_from_answers(
    entity: str, source: Source, *, principal: ActingUser, mapping: Mapping[str, str] | None = None,
    sheet: str | None = None, options: Mapping[str, Any] | None = None, values: Sequence[str] = (),
    create: Sequence[str] = (), blank: Sequence[str] = (), skip: Sequence[str] = (),
) -> ValueChoices:
    """The command line's answers (`--map-value`, `--create-missing`, …) as decisions; ValidationError names the
    answer that names no column or no existing target."""
    spec = get_importer(entity)
    start = source.tell() if hasattr(source, "tell") else None
    layout = inspect_file(entity, source, mapping=mapping, sheet=sheet)
    if start is not None:
        source.seek(start)  # type: ignore[union-attr]
    columns = {name: column for name, column in layout.columns.items() if column}
    sessions = sessions_as(principal)
    handler = spec.start(sessions, principal, options or {})
    return answers.choices_from_answers(spec, handler, sessions, columns, values=answers.parse_value_answers(values),
                                        create=create, blank=blank, skip=skip)


def recall(entity: str, header: list[str], *, principal: ActingUser) -> memory.Remembered | None:
    """What `principal` chose when they last imported `entity` from a file with these columns."""
    with session_scope(get_importer(entity).database, actor=principal) as session:
        return memory.recall(session, user_id=principal.id, entity=entity, header=header)


def import_file(
    entity: str,
    source: Source,
    *,
    principal: ActingUser,
    audit_log: AuditLog,
    mapping: Mapping[str, str] | None = None,
    plan: ImportPlan | None = None,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
    options: Mapping[str, Any] | None = None,
    source_name: str | None = None,
    channel: str = "page",
    batch_size: int = BATCH_SIZE,
    checked: ScanReport | None = None,
) -> ImportSummary:
    """Import a file as `principal`, one committed transaction per batch; the run goes to `audit_log`, and the
    person's answers are remembered for the next file with the same columns."""
    spec = get_importer(entity)
    plan = plan or ImportPlan()
    summary = ImportSummary(entity=spec.entity, dry_run=dry_run)
    details: dict[str, Any] = {"file": (source_name or _name_of(source))[:200], "channel": channel,
                               "dry_run": dry_run}
    start = source.tell() if hasattr(source, "tell") else None
    try:
        run_import(spec, source, principal=principal, sessions=sessions_as(principal), mapping=mapping, plan=plan,
                   dry_run=dry_run, batch_size=batch_size, progress=progress, options=options, summary=summary,
                   checked=checked)
    except AuthorizationError as error:
        _audit(audit_log, principal, spec.entity, REFUSED, {**details, "permission": error.permission})
        raise
    except BaseException as error:
        if not dry_run and summary.rows:  # some batches were committed: say so before the error surfaces
            _audit(audit_log, principal, spec.entity, FAILED,
                   {**details, **_counts(summary), "error": type(error).__name__})
        raise
    if not dry_run:
        _audit(audit_log, principal, spec.entity, ALLOWED, {**details, **_counts(summary)})
        _remember(spec.database, principal, entity, source, start, mapping, plan)
    return summary


def _remember(database: Database, principal: ActingUser, entity: str, source: Source, start: int | None,
              mapping: Mapping[str, str] | None, plan: ImportPlan) -> None:
    if start is not None:
        source.seek(start)  # type: ignore[union-attr]
    with open_table(source, sheet=plan.sheet) as table:
        header = table.header
    chosen = memory.Remembered(mapping=dict(mapping or {}), decimal_mark=plan.formats.decimal_mark,
                               date_order=plan.formats.date_order, sheet=plan.sheet, choices=plan.choices)
    with session_scope(database, actor=principal) as session:
        memory.remember(session, user_id=principal.id, entity=entity, header=header, chosen=chosen)


def _counts(summary: ImportSummary) -> dict[str, int]:
    counts = {key: getattr(summary, key) for key in ("rows", "inserted", "updated", "unchanged", "skipped", "warned")}
    return counts | {f"created_{name}": len(values) for name, values in summary.created.items()}


def _name_of(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.path.basename(os.fspath(source))
    return str(getattr(source, "name", "upload"))


def _audit(audit_log: AuditLog, principal: ActingUser, entity: str, result: str, details: dict[str, Any]) -> None:
    try:
        with session_scope(Database.AUTH, actor=principal) as session:
            audit_log(session, user_id=principal.id, action=f"import.{entity}", result=result,
                      object_type="import", object_id=entity, details=details)
    except DatabaseUnavailable:
        if result == ALLOWED:
            raise
