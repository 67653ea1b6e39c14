"""Importing rows into one table by natural key: validate, match, then one INSERT and one UPDATE per batch.

A domain subclasses `RowImporter` with its fields, its reference columns (`references`), how a row becomes
a validated record (`build`), the record's keys, and how existing records are found; this module does the
rest the same way for every entity: the decisions on unknown values (`value`), in-file duplicates,
matching, "unchanged" detection and the bulk writes.

A reference value that names nothing takes the person's decision; without one, an optional field is left
blank with a warning (line, column, value), and only a required one skips the row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Table, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from nexus360.importing.parsers import AUTO, Formats
from nexus360.importing.spec import ActingUser, FieldSpec, SourceRow, parse_row, parsers_for
from nexus360.importing.summary import Action, RowOutcome, RowWarning
from nexus360.importing.values import Reference, TargetId, Unresolved, ValueChoices

PRETEND_ID = -1  # what a value to be created resolves to in a dry run


def validate(
    schema: type[BaseModel], data: Mapping[str, Any], labels: Mapping[str, str], *,
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The non-blank values of `data`, as `schema` cleans them; ValueError in plain words if it refuses them."""
    given = {key: value for key, value in data.items() if value is not None}
    try:
        model = schema.model_validate({**(defaults or {}), **given})
    except PydanticValidationError as error:
        raise ValueError(explain(error, labels)) from error
    return model.model_dump(include=set(given))


def explain(error: PydanticValidationError, labels: Mapping[str, str]) -> str:
    """A schema's validation error in plain words: "email: 'x' is not a valid email address"."""
    reasons = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        label = labels.get(name, name.replace("_id", "").replace("_", " "))
        reasons.append(f"{label}: {_plain(problem)}" if label else _plain(problem))
    return "; ".join(reasons)


def _plain(problem: Mapping[str, Any]) -> str:
    context = problem.get("ctx") or {}
    kind = problem["type"]
    if kind in ("missing", "string_too_short"):
        return "is required"
    if kind == "string_too_long":
        return f"is longer than {context['max_length']} characters"
    if kind == "greater_than_equal":
        return f"must be at least {context['ge']}"
    if kind == "decimal_max_digits":
        return "is too large"
    if kind == "decimal_max_places":
        return f"has more than {context['decimal_places']} decimals"
    message = str(problem["msg"]).removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def group_by(rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Hashable]) -> dict[Any, list[dict]]:
    """Rows grouped by `key` (rows whose key is None are left out), each group in the rows' order."""
    groups: dict[Any, list[dict]] = defaultdict(list)
    for row in rows:
        value = key(row)
        if value is not None:
            groups[value].append(row)
    return dict(groups)


def lock_imports(session: Session, entity: str) -> None:
    """Serialise batches of one entity for this transaction, so two imports cannot both insert the same record."""
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"nexus360.import.{entity}"))))


def insert_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
    *, returning: Sequence[str] = ("id",),
) -> list[dict[str, Any]]:
    """One multi-row INSERT of `rows`; the `returning` columns of each new row."""
    if not rows:
        return []
    arrays, params = _arrays(table, rows, columns)
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
           f"RETURNING {', '.join(returning)}")
    return [dict(row._mapping) for row in session.execute(text(sql), params)]


def update_rows(session: Session, table: Table, changes: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    """One UPDATE ... FROM (one row per record) writing, for each (id, changed values), only those values.

    A column is written only in the rows that change it, so a value someone else edited meanwhile in
    another column is never put back to what the import read.
    """
    if not changes:
        return
    columns = sorted({name for _id, changed in changes for name in changed})
    rows = [{"id": record_id, **changed} for record_id, changed in changes]
    arrays, params = _arrays(table, rows, ["id", *columns])
    masks = ", ".join(f"CAST(:m{index} AS BOOLEAN[])" for index in range(len(columns)))
    params |= {f"m{index}": [name in changed for _id, changed in changes] for index, name in enumerate(columns)}
    names = ["id", *columns, *(f"set_{index}" for index in range(len(columns)))]
    assignments = ", ".join(
        f"{name} = CASE WHEN v.set_{index} THEN v.{name} ELSE t.{name} END" for index, name in enumerate(columns)
    )
    sql = (f"UPDATE {table.name} AS t SET {assignments} FROM unnest({arrays}, {masks}) AS v({', '.join(names)}) "
           "WHERE t.id = v.id")
    session.execute(text(sql), params)


def _arrays(table: Table, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> tuple[str, dict[str, list]]:
    """One typed array parameter per column. Unlike VALUES lists, the statement's text stays the same
    whatever the batch size, so it is parsed once and never nears PostgreSQL's 65,535-parameter limit.
    Column names come from the importer's code, never from the file."""
    casts = ", ".join(
        f"CAST(:c{index} AS {table.c[name].type.compile(dialect=postgresql.dialect())}[])"
        for index, name in enumerate(columns)
    )
    return casts, {f"c{index}": [row.get(name) for row in rows] for index, name in enumerate(columns)}


class RowImporter:
    """One import in progress: lookups made once, keys seen so far, and how one batch is handled."""

    entity: ClassVar[str]
    fields: ClassVar[tuple[FieldSpec, ...]]
    table: ClassVar[Table]
    columns: ClassVar[tuple[str, ...]]

    def __init__(self, refs: Any, principal: ActingUser) -> None:
        self.refs = refs
        self.principal = principal
        self.by_name = {spec.name: spec for spec in self.fields}
        self.labels = {f"{spec.name}_id": spec.label for spec in self.fields} | {
            spec.name: spec.label for spec in self.fields
        }
        self.seen: dict[str, int] = {}  # key -> line of the row that claimed it (bounded: a short key per row)
        self.references: dict[str, Reference] = {}
        self.choices = ValueChoices()
        self.parsers = parsers_for(self.fields)
        self.pretend_created = False
        self.column_names: dict[str, str] = {}
        self._warnings: list[RowWarning] = []
        self._chosen_blanks: list[RowWarning] = []
        self._shown: dict[str, str] = {}  # field -> how a mapped value reads in a preview ("technolgy → Software")

    def configure(self, choices: ValueChoices, formats: Formats = AUTO, *, pretend_created: bool = False,
                  columns: Mapping[str, str] | None = None) -> None:
        """The decisions and formats of this run, and the file's name of each field's column."""
        self.choices = choices
        self.parsers = parsers_for(self.fields, formats)
        self.pretend_created = pretend_created
        self.column_names = dict(columns or {})

    def value(self, name: str, text: str | None) -> TargetId | None:
        """The id `text` names in reference column `name`, else what was decided for it: a target, a new record,
        blank (with a warning if nobody decided) or skipping the row (ValueError, as for a required field)."""
        if text is None:
            return None
        try:
            return self.references[name].resolve(text)
        except Unresolved as why:
            reason = str(why)
        decision = self.choices.decision(name, text)
        action = decision.action if decision is not None else None
        if decision is not None and action == "map" and decision.target is not None:
            self._shown[name] = f"{text} → {decision.label or decision.target}"
            return decision.target
        if action == "create" and self.pretend_created:
            self._shown[name] = f"{text} (new {self.references[name].noun})"
            return PRETEND_ID
        if action == "skip":
            raise ValueError(f"{reason} (rows with it are skipped, as chosen)")
        if self.by_name[name].required:
            raise ValueError(reason)
        column = self.column_names.get(name, self.by_name[name].label)
        if action == "blank":
            self._chosen_blanks.append(RowWarning(line=0, column=column, value=text,
                                                  reason=f"{reason}; left blank, as chosen"))
        else:
            self._warnings.append(RowWarning(line=0, column=column, value=text, reason=f"{reason}; left blank"))
        return None

    # --- what a domain fills in ------------------------------------------------------------------

    def prefetch(self, session: Session, rows: Sequence[dict[str, Any]]) -> None:
        """Look up, in one query each, the related records this batch's rows name."""

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        """The row as a validated record (only the columns the file gives); ValueError says why not."""
        raise NotImplementedError

    def keys(self, record: dict[str, Any]) -> tuple[list[str], list[str]]:
        """(keys an earlier row must not have claimed, keys this row claims) within the file."""
        raise NotImplementedError

    def find(self, session: Session, records: Sequence[dict[str, Any]]) -> Any:
        """Existing records any of `records` may match, read in one query and indexed by key."""
        raise NotImplementedError

    def candidates(self, record: dict[str, Any], existing: Any) -> list[dict[str, Any]]:
        """The existing records (from `find`'s index) that `record` matches by natural key."""
        raise NotImplementedError

    def authorise(self, record: dict[str, Any], match: dict[str, Any] | None) -> None:
        """ValueError if the importing user may not write this row."""

    def insert_defaults(self) -> dict[str, Any]:
        """Values a new record takes where the file is blank."""
        return {}

    def after_write(self, session: Session, inserted: list[dict], updated: list[tuple[dict, dict]]) -> None:
        """Further writes of the batch, e.g. history: the new rows (with ids), and (old, new) of updated ones."""

    # --- one batch ---------------------------------------------------------------------------------

    def import_batch(self, session: Session, rows: Sequence[SourceRow], *, dry_run: bool) -> list[RowOutcome]:
        """Validate, match and (unless `dry_run`) write one batch; one outcome per row, in file order."""
        if not dry_run:
            lock_imports(session, self.entity)
        outcomes = [RowOutcome(row.line, "error", values=dict(row.raw)) for row in rows]
        parsed: list[tuple[RowOutcome, dict[str, Any]]] = []
        for row, outcome in zip(rows, outcomes, strict=True):
            try:
                outcome.values = parse_row(row, self.by_name, self.parsers)
            except ValueError as error:
                outcome.reason = str(error)
                continue
            parsed.append((outcome, outcome.values))
        for name, reference in self.references.items():
            reference.prepare(session, {str(cells[name]) for _, cells in parsed if cells.get(name) is not None})
        self.prefetch(session, [cells for _, cells in parsed])
        records: list[tuple[RowOutcome, dict[str, Any]]] = []
        for outcome, cells in parsed:
            self._warnings, self._chosen_blanks, self._shown = [], [], {}
            try:
                records.append((outcome, self.build(cells)))
            except ValueError as error:
                outcome.reason = str(error)
                continue
            outcome.values = {**cells, **self._shown}  # as the person reads them, mapped values with their target
            outcome.warnings = [warning.model_copy(update={"line": outcome.line}) for warning in self._warnings]
            outcome.blank_by_choice = [blank.model_copy(update={"line": outcome.line}) for blank in self._chosen_blanks]
        existing = self.find(session, [record for _, record in records])
        inserts: list[dict[str, Any]] = []
        updates: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for outcome, record in records:
            try:
                action, match = self._decide(outcome.line, record, existing)
            except ValueError as error:
                outcome.reason = str(error)
                continue
            outcome.action = action
            if match is None:
                inserts.append({**self.insert_defaults(), **record})
            elif action == "update":
                updates.append((match, {**match, **record}))
        if not dry_run:
            self._write(session, inserts, updates)
        return outcomes

    def _decide(self, line: int, record: dict[str, Any], existing: Any) -> tuple[Action, Any]:
        """(insert, update or unchanged; the matched record) for a valid row, claiming its keys in the file."""
        check, claim = self.keys(record)
        for key in check:
            if key in self.seen:
                raise ValueError(f"duplicate of line {self.seen[key]}")
        found = self.candidates(record, existing)
        if len(found) > 1:
            ids = ", ".join(str(row["id"]) for row in found[:5])
            raise ValueError(f"matches {len(found)} existing {self.entity} (ids {ids}); tell them apart first")
        match = found[0] if found else None
        changed = match is None or any(match.get(key) != value for key, value in record.items())
        if changed:
            self.authorise(record, match)
        for key in claim:
            self.seen.setdefault(key, line)
        if match is None:
            return "insert", None
        return ("update" if changed else "unchanged"), match

    def _write(self, session: Session, inserts: list[dict], updates: list[tuple[dict, dict]]) -> None:
        inserted = insert_rows(session, self.table, inserts, self.columns, returning=("id", *self.columns))
        changes = [(old["id"], {key: value for key, value in new.items() if old.get(key) != value})
                   for old, new in updates]
        update_rows(session, self.table, changes)
        self.after_write(session, inserted, updates)
