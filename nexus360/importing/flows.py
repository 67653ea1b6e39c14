"""Imports as the page and the CLI run them: one transaction per batch as the acting user, audited.

The rows go to the entity's database and the audit event to auth; the two may live on different
servers, so they cannot share a transaction. Batches are idempotent (rows are matched by natural
key), so an import that stopped half-way is completed by running it again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from nexus360.auth import service as auth_service
from nexus360.auth.audit import service as audit
from nexus360.auth.schemas import ADMIN, Principal
from nexus360.auth.users import service as people
from nexus360.common.errors import AuthorizationError, DatabaseUnavailable, NotFoundError, ValidationError
from nexus360.db import Database, session_scope
from nexus360.importing.core import (
    BATCH_SIZE,
    PREVIEW_ROWS,
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
_COMMAND_LINE = Principal(id=0, email="command line")  # reads the directory to find the operator


@dataclass(frozen=True)
class FileLayout:
    """What the page shows before an import: the file's columns and which field each one fills."""

    header: list[str]
    encoding: str
    delimiter: str
    columns: dict[str, str | None]  # field name -> column name (None: no column matched)


def sessions_as(principal: Principal) -> SessionFactory:
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
    entity: str, source: Source, *, principal: Principal, mapping: Mapping[str, str] | None = None,
    rows: int = PREVIEW_ROWS, options: Mapping[str, Any] | None = None,
) -> list[RowOutcome]:
    """The first rows as they would be imported, with each row's problem; nothing is written."""
    return preview_import(get_importer(entity), source, principal=principal, sessions=sessions_as(principal),
                          mapping=mapping, rows=rows, options=options)


def import_file(
    entity: str,
    source: Source,
    *,
    principal: Principal,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
    options: Mapping[str, Any] | None = None,
    source_name: str | None = None,
    channel: str = "page",
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import a CSV file as `principal`, one committed transaction per batch; the run is audited."""
    spec = get_importer(entity)
    summary = ImportSummary(entity=spec.entity, dry_run=dry_run)
    details: dict[str, Any] = {"file": (source_name or _name_of(source))[:200], "channel": channel,
                               "dry_run": dry_run}
    try:
        run_import(spec, source, principal=principal, sessions=sessions_as(principal), mapping=mapping,
                   dry_run=dry_run, batch_size=batch_size, progress=progress, options=options, summary=summary)
    except AuthorizationError as error:
        _audit(principal, spec.entity, audit.REFUSED, {**details, "permission": error.permission})
        raise
    except ImportFileError:
        raise  # nothing was read, nothing was written
    except BaseException as error:
        if not dry_run and summary.rows:  # some batches were committed: say so before the error surfaces
            _audit(principal, spec.entity, audit.FAILED, {**details, **_counts(summary), "error": type(error).__name__})
        raise
    if not dry_run:
        _audit(principal, spec.entity, audit.ALLOWED, {**details, **_counts(summary)})
    return summary


def operator_principal(session: Session, *, email: str | None = None) -> Principal:
    """Who a command-line import acts as: the user with `email`, else the first active administrator."""
    if email:
        try:
            principal = auth_service.get_principal_by_email(session, email.strip())
        except NotFoundError as error:
            raise ValidationError(f"--as {email}: {error}") from error
        if not principal.is_active:
            raise ValidationError(f"--as {email}: this user is deactivated.")
        return principal
    admins = people.list_people(session, _COMMAND_LINE, roles=[ADMIN], active_only=True)
    if not admins:
        raise ValidationError("There is no active administrator to import as; name a user with --as EMAIL.")
    return auth_service.get_principal(session, min(row[0] for row in admins))


def _counts(summary: ImportSummary) -> dict[str, int]:
    return {key: getattr(summary, key) for key in ("rows", "inserted", "updated", "unchanged", "skipped")}


def _name_of(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.path.basename(os.fspath(source))
    return str(getattr(source, "name", "upload"))


def _audit(principal: Principal, entity: str, result: str, details: dict[str, Any]) -> None:
    try:
        with session_scope(Database.AUTH, actor=principal) as session:
            audit.record(session, user_id=principal.id, action=f"import.{entity}", result=result,
                         object_type="import", object_id=entity, details=details)
    except DatabaseUnavailable:
        if result == audit.ALLOWED:
            raise
