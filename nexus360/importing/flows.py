"""Imports as the page and the CLI run them: one transaction per batch as the acting user, audited.

The rows go to the entity's database and the audit event to auth; the two may live on different
servers, so they cannot share a transaction. Batches are idempotent (rows are matched by natural
key), so an import that stopped half-way is completed by running it again.

Importing sits below the domains and may not import auth: the caller hands in who imports (auth's
Principal) and where runs are recorded (auth's `audit.record`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, Protocol

from sqlalchemy.orm import Session

from nexus360.common.errors import AuthorizationError, DatabaseUnavailable
from nexus360.db import Database, session_scope
from nexus360.importing.core import (
    BATCH_SIZE,
    PREVIEW_ROWS,
    ActingUser,
    ImportFileError,
    ImportSummary,
    Progress,
    RowOutcome,
    SessionFactory,
    guess_columns,
    open_csv,
    preview_import,
    run_import,
)
from nexus360.importing.registry import get_importer

Source = str | os.PathLike[str] | IO[bytes]
ALLOWED, REFUSED, FAILED = "allowed", "refused", "failed"  # the audit log's results (auth.audit)


class AuditLog(Protocol):
    """Records one event in the auth database's audit log: `nexus360.auth.audit.record`."""

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


def sessions_as(principal: ActingUser) -> SessionFactory:
    """Open each transaction as `principal` (row-level security and triggers see who acts)."""

    @contextmanager
    def open_session(database: Database) -> Iterator[Session]:
        with session_scope(database, actor=principal) as session:
            yield session

    return open_session


def inspect_file(entity: str, source: Source, *, mapping: Mapping[str, str] | None = None) -> FileLayout:
    """Read a file's header and guess which column fills which field (ImportFileError if unreadable)."""
    spec = get_importer(entity)
    with open_csv(source) as csv_file:
        matched = guess_columns(csv_file.header, spec.fields, mapping)
        columns = {field.name: (csv_file.header[matched[field.name]] if field.name in matched else None)
                   for field in spec.fields}
        return FileLayout(csv_file.header, csv_file.encoding, csv_file.delimiter, columns)


def preview_file(
    entity: str, source: Source, *, principal: ActingUser, mapping: Mapping[str, str] | None = None,
    rows: int = PREVIEW_ROWS, options: Mapping[str, Any] | None = None,
) -> list[RowOutcome]:
    """The first rows as they would be imported, with each row's problem; nothing is written."""
    return preview_import(get_importer(entity), source, principal=principal, sessions=sessions_as(principal),
                          mapping=mapping, rows=rows, options=options)


def import_file(
    entity: str,
    source: Source,
    *,
    principal: ActingUser,
    audit_log: AuditLog,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
    options: Mapping[str, Any] | None = None,
    source_name: str | None = None,
    channel: str = "page",
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import a CSV file as `principal`, one committed transaction per batch; the run goes to `audit_log`."""
    spec = get_importer(entity)
    summary = ImportSummary(entity=spec.entity, dry_run=dry_run)
    details: dict[str, Any] = {"file": (source_name or _name_of(source))[:200], "channel": channel,
                               "dry_run": dry_run}
    try:
        run_import(spec, source, principal=principal, sessions=sessions_as(principal), mapping=mapping,
                   dry_run=dry_run, batch_size=batch_size, progress=progress, options=options, summary=summary)
    except AuthorizationError as error:
        _audit(audit_log, principal, spec.entity, REFUSED, {**details, "permission": error.permission})
        raise
    except ImportFileError:
        raise  # nothing was read, nothing was written
    except BaseException as error:
        if not dry_run and summary.rows:  # some batches were committed: say so before the error surfaces
            _audit(audit_log, principal, spec.entity, FAILED,
                   {**details, **_counts(summary), "error": type(error).__name__})
        raise
    if not dry_run:
        _audit(audit_log, principal, spec.entity, ALLOWED, {**details, **_counts(summary)})
    return summary


def _counts(summary: ImportSummary) -> dict[str, int]:
    return {key: getattr(summary, key) for key in ("rows", "inserted", "updated", "unchanged", "skipped")}


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
