"""Domain-free CSV import: match a file's columns to fields, parse cells, run batches, report rows.

An importer (one per entity, registered in `nexus360.importing.registry`) describes its fields and
handles one batch of rows in one transaction; `run_import` reads the file once, in batches, so
memory stays bounded whatever its size, and an interrupted import loses at most the current batch.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import IO, Any, Literal, Protocol

from pydantic import BaseModel
from sqlalchemy.orm import Session

from nexus360.common.errors import AuthorizationError
from nexus360.db.base import Database
from nexus360.importing.parsers import parse_bool, parse_date, parse_decimal, parse_email, parse_int, parse_text
from nexus360.importing.reader import CsvFile, ImportFileError, open_csv

__all__ = [  # the reader and parsers are part of this module's surface
    "CsvFile", "ImportFileError", "open_csv",
    "parse_bool", "parse_date", "parse_decimal", "parse_email", "parse_int", "parse_text",
]

MAX_REPORTED_ERRORS = 1000  # row errors kept in a summary; `skipped` still counts them all


class RowError(BaseModel):
    """One row that was not imported: its line in the file and why, in plain words."""

    line: int
    reason: str


class ImportSummary(BaseModel):
    """What an import did (or, for a dry run, would do)."""

    entity: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows not imported: each has a row error (the first MAX_REPORTED_ERRORS are listed)
    errors: list[RowError] = []
    errors_truncated: bool = False
    dry_run: bool = False
    rows: int = 0

    def tally(self, outcomes: Sequence[RowOutcome]) -> None:
        """Count a batch's outcomes once its transaction has committed."""
        self.rows += len(outcomes)
        for outcome in outcomes:
            if outcome.action == "error":
                self.add_error(outcome.line, outcome.reason or "not imported")
            elif outcome.action == "insert":
                self.inserted += 1
            elif outcome.action == "update":
                self.updated += 1
            else:
                self.unchanged += 1

    def add_error(self, line: int, reason: str) -> None:
        """Count a skipped row and keep its reason while the list is short enough to read."""
        self.skipped += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line=line, reason=reason))
        else:
            self.errors_truncated = True


@dataclass(frozen=True)
class FieldSpec:
    """A field an importer fills: its name, the column names it is recognised by, and its parser."""

    name: str
    label: str
    parse: Callable[[str | None], Any] = parse_text
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class SourceRow:
    """One data row: its first line in the file and the raw text of each mapped field."""

    line: int
    raw: dict[str, str | None]


@dataclass
class Progress:
    """How far an import is: rows read so far, and bytes read of the total (None if unknown)."""

    rows: int = 0
    bytes_read: int = 0
    total_bytes: int | None = None

    @property
    def fraction(self) -> float | None:
        if not self.total_bytes:
            return None
        return min(1.0, self.bytes_read / self.total_bytes)


Action = Literal["insert", "update", "unchanged", "error"]


@dataclass
class RowOutcome:
    """What happened (or, in a dry run, would happen) to one row, with its values as a person reads them."""

    line: int
    action: Action
    values: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


class BatchHandler(Protocol):
    """An import in progress: it holds the lookups made once and handles one batch per transaction."""

    def import_batch(self, session: Session, rows: Sequence[SourceRow], *, dry_run: bool) -> list[RowOutcome]: ...


SessionFactory = Callable[[Database], AbstractContextManager[Session]]


class ActingUser(Protocol):
    """Who imports, as the caller hands them in (auth's Principal is one): checked here, passed on to the
    entity's importer and to row-level security."""

    id: int
    email: str
    is_active: bool
    permissions: frozenset[str]


def require_permission(user: ActingUser, permission: str) -> None:
    """AuthorizationError unless the user is active and holds `permission` (auth.service.require's rule)."""
    if not user.is_active or permission not in user.permissions:
        raise AuthorizationError(permission, user_email=user.email)


@dataclass(frozen=True)
class ImporterSpec:
    """An entity that can be imported: its fields, where it lives, who may import it, how batches are handled."""

    entity: str
    title: str
    database: Database
    permission: str
    fields: tuple[FieldSpec, ...]
    natural_key: str  # how a row finds the record it updates, in words for the page
    start: Callable[[SessionFactory, ActingUser, Mapping[str, Any]], BatchHandler]

    @property
    def labels(self) -> dict[str, str]:
        return {spec.name: spec.label for spec in self.fields}


def normalise_header(name: str) -> str:
    """Trim, lower-case, treat spaces, underscores, dashes and dots alike: " Company_Name " -> "company name"."""
    return " ".join(re.sub(r"[\s_\-.]+", " ", name.replace("\ufeff", "").strip().strip('"').lower()).split())


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """`FIELD=COLUMN` pairs (the CLI's --map) into a dict; an empty COLUMN means "do not import this field"."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not name.strip():
            raise ImportFileError(f"'{pair}' is not a mapping: write FIELD=COLUMN, like --map email='E-mail address'.")
        mapping[name.strip()] = column.strip()
    return mapping


def guess_columns(
    header: Sequence[str], fields: Sequence[FieldSpec], mapping: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Field name -> column index: an explicit mapping first, then by name, label or alias (normalised)."""
    by_name = {normalise_header(spec.name): spec for spec in fields}
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(normalise_header(name), index)
    matched: dict[str, int] = {}
    explicit: set[str] = set()
    for name, column in (mapping or {}).items():
        spec = by_name.get(normalise_header(name))
        if spec is None:
            known = ", ".join(spec.name for spec in fields)
            raise ImportFileError(f"There is no field '{name}' to map; the fields are: {known}.")
        explicit.add(spec.name)
        if not column:
            continue  # FIELD= : leave this field out
        if normalise_header(column) not in positions:
            shown = ", ".join(f"'{h}'" for h in header if h) or "none"
            raise ImportFileError(
                f"The mapping {name}={column} names a column the file does not have. Its columns are: {shown}."
            )
        matched[spec.name] = positions[normalise_header(column)]
    taken = set(matched.values())
    for spec in fields:
        if spec.name in explicit:
            continue
        for candidate in (spec.name, spec.label, *spec.aliases):
            index = positions.get(normalise_header(candidate))
            if index is not None and index not in taken:
                matched[spec.name] = index
                taken.add(index)
                break
    return matched


def match_columns(
    header: Sequence[str], fields: Sequence[FieldSpec], mapping: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Like guess_columns, but ImportFileError unless some column matches and every required field has one."""
    matched = guess_columns(header, fields, mapping)
    _check_required(header, fields, matched)
    return matched


def _check_required(header: Sequence[str], fields: Sequence[FieldSpec], matched: Mapping[str, int]) -> None:
    if not matched:
        names = ", ".join(f"'{h}'" for h in header if h) or "none"
        raise ImportFileError(f"None of the file's columns ({names}) matches a field. Is the first line a header? "
                              f"The fields are: {', '.join(spec.name for spec in fields)}.")
    missing = [spec for spec in fields if spec.required and spec.name not in matched]
    if missing:
        spec = missing[0]
        raise ImportFileError(f"No column holds the required field '{spec.name}' (looked for: "
                              f"{', '.join([spec.label, *spec.aliases])}). Map it with --map {spec.name}=COLUMN.")


def read_batches(
    csv_file: CsvFile, columns: Mapping[str, int], *, batch_size: int = 1000
) -> Iterator[list[SourceRow]]:
    """The file's data rows as lists of at most `batch_size` SourceRows (raw text per mapped field)."""
    batch: list[SourceRow] = []
    for line, cells in csv_file.rows():
        raw = {name: (cells[index] if index < len(cells) else None) for name, index in columns.items()}
        batch.append(SourceRow(line, raw))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def parse_row(row: SourceRow, fields: Mapping[str, FieldSpec]) -> dict[str, Any]:
    """Each mapped field's parsed value; ValueError names the field and why its cell is wrong."""
    values: dict[str, Any] = {}
    for name, raw in row.raw.items():
        spec = fields[name]
        try:
            values[name] = spec.parse(raw)
        except ValueError as error:
            raise ValueError(f"{spec.label}: {error}") from error
    return values


BATCH_SIZE = 1000
PREVIEW_ROWS = 20


def run_import(
    spec: ImporterSpec,
    source: str | os.PathLike[str] | IO[bytes],
    *,
    principal: ActingUser,
    sessions: SessionFactory,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[Progress], None] | None = None,
    options: Mapping[str, Any] | None = None,
    summary: ImportSummary | None = None,
) -> ImportSummary:
    """Import a CSV file batch by batch, each batch in its own `sessions(spec.database)` transaction."""
    require_permission(principal, spec.permission)
    summary = summary if summary is not None else ImportSummary(entity=spec.entity, dry_run=dry_run)
    with open_csv(source) as csv_file:
        columns = match_columns(csv_file.header, spec.fields, mapping)
        handler = spec.start(sessions, principal, options or {})
        state = Progress(total_bytes=csv_file.total_bytes)
        for batch in read_batches(csv_file, columns, batch_size=batch_size):
            with sessions(spec.database) as session:
                outcomes = handler.import_batch(session, batch, dry_run=dry_run)
            summary.tally(outcomes)  # only once the batch is committed
            state.rows += len(batch)
            state.bytes_read = csv_file.bytes_read
            if progress is not None:
                progress(state)
    return summary


def preview_import(
    spec: ImporterSpec,
    source: str | os.PathLike[str] | IO[bytes],
    *,
    principal: ActingUser,
    sessions: SessionFactory,
    mapping: Mapping[str, str] | None = None,
    rows: int = PREVIEW_ROWS,
    options: Mapping[str, Any] | None = None,
) -> list[RowOutcome]:
    """The first `rows` rows as they would be imported (a dry run: nothing is written)."""
    require_permission(principal, spec.permission)
    with open_csv(source) as csv_file:
        columns = match_columns(csv_file.header, spec.fields, mapping)
        handler = spec.start(sessions, principal, options or {})
        first = next(read_batches(csv_file, columns, batch_size=rows), [])
        with sessions(spec.database) as session:
            return handler.import_batch(session, first, dry_run=True)
