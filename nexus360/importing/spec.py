"""What an import is made of: an importer's fields and reference columns, the person's plan, matching a file's
columns to the fields, and batches of source rows.

An importer (one per entity, registered in `nexus360.importing.registry`) describes its fields and its
reference columns and handles one batch of rows in one transaction; `core.run_import` checks the whole
file first (`scan`), then reads it again in batches, so memory stays bounded whatever its size and an
interrupted import loses at most the current batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from nexus360.common.errors import AuthorizationError
from nexus360.db.base import Database
from nexus360.importing.parsers import AUTO, Cell, Formats, bind, parse_text
from nexus360.importing.reader import ImportFileError, TableFile
from nexus360.importing.summary import RowOutcome
from nexus360.importing.values import Reference, ValueChoices


@dataclass(frozen=True)
class FieldSpec:
    """A field an importer fills: its name, the column names it is recognised by, and its parser."""

    name: str
    label: str
    parse: Callable[..., Any] = parse_text
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class SourceRow:
    """One data row: its first line in the file and the raw cell of each mapped field."""

    line: int
    raw: dict[str, Cell]


Phase = Literal["check", "import"]


@dataclass
class Progress:
    """How far an import is: the phase (checking the whole file, then importing), rows read in it, and the
    share of the file read (None if unknown)."""

    rows: int = 0
    fraction: float | None = None
    phase: Phase = "import"


@dataclass(frozen=True)
class ImportPlan:
    """What the person decided before anything is written: how numbers and dates are written, what each
    unknown value of a reference column becomes, and which sheet of a workbook to read."""

    formats: Formats = AUTO
    choices: ValueChoices = field(default_factory=ValueChoices)
    sheet: str | None = None


class BatchHandler(Protocol):
    """An import in progress: it holds the lookups made once and handles one batch per transaction."""

    references: Mapping[str, Reference]  # field name -> what its values name

    def configure(self, choices: ValueChoices, formats: Formats, *, pretend_created: bool,
                  columns: Mapping[str, str]) -> None:
        """The decisions and formats this run applies (a dry run pretends the values to create exist), and the
        file's name of each field's column (for warnings)."""

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
    related: Mapping[str, str] = field(default_factory=dict)  # field -> the entity whose file supplies its records

    @property
    def labels(self) -> dict[str, str]:
        return {spec.name: spec.label for spec in self.fields}

    def field_named(self, name: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.name == name)


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
    table: TableFile, columns: Mapping[str, int], *, batch_size: int = 1000
) -> Iterator[list[SourceRow]]:
    """The file's data rows as lists of at most `batch_size` SourceRows (raw cell per mapped field)."""
    batch: list[SourceRow] = []
    for line, cells in table.rows():
        raw = {name: (cells[index] if index < len(cells) else None) for name, index in columns.items()}
        batch.append(SourceRow(line, raw))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def parsers_for(fields: Sequence[FieldSpec], formats: Formats = AUTO) -> dict[str, Callable[[Cell], Any]]:
    """Each field's parser, reading numbers and dates the file's way."""
    return {spec.name: bind(spec.parse, formats) for spec in fields}


def parse_row(
    row: SourceRow, fields: Mapping[str, FieldSpec], parsers: Mapping[str, Callable[[Cell], Any]] | None = None
) -> dict[str, Any]:
    """Each mapped field's parsed value; ValueError names the field and why its cell is wrong."""
    values: dict[str, Any] = {}
    for name, raw in row.raw.items():
        spec = fields[name]
        try:
            values[name] = (parsers[name] if parsers is not None else spec.parse)(raw)
        except ValueError as error:
            raise ValueError(f"{spec.label}: {error}") from error
    return values


BATCH_SIZE = 1000
PREVIEW_ROWS = 20
