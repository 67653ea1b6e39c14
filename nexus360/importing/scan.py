"""Checking a whole file before anything is written.

- Every row is read, so a file that breaks further down (a NUL byte on line 70,000, a quote never closed)
  stops the import before its first batch: all or nothing for what the file itself gets wrong.
- The decimal mark and the date order are detected from the values that can be read only one way
  ("1.234,5", "31/12/2025"), so "1.100" and "3/1/2017" are read like the rest of their file.
- Each distinct value of a reference column that names nothing is counted, with its first line, the
  reason, a suggestion and the decision that applies to it.

Memory is bounded: what is kept per column is its distinct values (at most MAX_UNKNOWN_VALUES unknown
ones, and a cache of at most MAX_KNOWN_VALUES known ones).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from nexus360.importing.parsers import (
    DATE_ORDERS,
    DATE_PARSERS,
    NUMBER_PARSERS,
    Formats,
    ambiguous_number,
    date_evidence,
    number_evidence,
)
from nexus360.importing.reader import TableFile
from nexus360.importing.spec import (
    BatchHandler,
    FieldSpec,
    Progress,
    SessionFactory,
    read_batches,
)
from nexus360.importing.summary import UnknownValue
from nexus360.importing.values import Reference, Unresolved, ValueChoices, value_key

MAX_UNKNOWN_VALUES = 5_000  # per column; rows holding further unknown values are counted, not listed
MAX_KNOWN_VALUES = 50_000  # per column: values looked up once (beyond, they are looked up again per batch)
MAX_SUGGESTED = 500  # per column, the values with most rows first


@dataclass
class _Unknown:
    value: str
    rows: int
    first_line: int
    reason: str


@dataclass
class _Column:
    """What the scan has learnt about one reference column so far."""

    known: set[str] = field(default_factory=set)
    unknown: dict[str, _Unknown] = field(default_factory=dict)
    unlisted_rows: int = 0


@dataclass
class ScanReport:
    """The whole file as checked: its rows, its detected formats and its reference values that name nothing."""

    rows: int
    detected: Formats
    notes: dict[str, list[str]]  # "decimal_mark" / "date_order" -> what stays uncertain when left to detection
    unknown: dict[str, list[UnknownValue]]
    unlisted_rows: dict[str, int]  # field -> rows holding unknown values beyond those listed

    def notes_for(self, chosen: Formats) -> list[str]:
        """The notes on what the person left to detection."""
        return [note for aspect, notes in self.notes.items() if getattr(chosen, aspect) is None for note in notes]

    def with_choices(self, choices: ValueChoices) -> ScanReport:
        """The same report, each unknown value carrying the decision `choices` make for it."""
        unknown = {
            name: [value.model_copy(update={"decision": choices.decision(name, value.value)}) for value in values]
            for name, values in self.unknown.items()
        }
        return ScanReport(self.rows, self.detected, self.notes, unknown, self.unlisted_rows)


def scan_file(
    table: TableFile, columns: Mapping[str, int], fields: tuple[FieldSpec, ...], handler: BatchHandler,
    sessions: SessionFactory, database: object, *, batch_size: int,
    progress: Callable[[Progress], None] | None = None,
) -> ScanReport:
    """Read every row of `table` once, writing nothing (the unknown values carry no decision yet:
    `with_choices` adds them)."""
    specs = {spec.name: spec for spec in fields if spec.name in columns}
    references = {name: ref for name, ref in handler.references.items() if name in specs}
    state = {name: _Column() for name in references}
    numbers = Counter[str]()
    dates = Counter[str]()
    number_fields = [name for name, spec in specs.items() if spec.parse in NUMBER_PARSERS]
    date_fields = [name for name, spec in specs.items() if spec.parse in DATE_PARSERS]
    first_lines: dict[str, int] = {}
    rows = 0
    status = Progress(phase="check")
    for batch in read_batches(table, columns, batch_size=batch_size):
        pending: dict[str, dict[str, list]] = {name: {} for name in references}
        for row in batch:
            for name in number_fields:
                if mark := number_evidence(row.raw.get(name)):
                    numbers[mark] += 1
                    first_lines.setdefault("number" + mark, row.line)
                elif ambiguous_number(row.raw.get(name)):
                    numbers["either"] += 1
                    first_lines.setdefault("number?", row.line)
            for name in date_fields:
                order = date_evidence(row.raw.get(name))
                if order is not None:
                    dates[order] += 1
                    first_lines.setdefault(order, row.line)
                elif _ambiguous_date(row.raw.get(name)):
                    dates["either"] += 1
                    first_lines.setdefault("either", row.line)
            for name in references:
                _count(state[name], pending[name], specs[name], row.raw.get(name), row.line)
        if any(pending.values()):
            with sessions(database) as session:  # type: ignore[arg-type]
                for name, values in pending.items():
                    if values:
                        _resolve(references[name], session, state[name], values)
        rows += len(batch)
        status.rows, status.fraction = rows, table.fraction
        if progress is not None:
            progress(status)
    detected, notes = _formats(numbers, dates, first_lines)
    unknown = _report(references, state, sessions, database)
    return ScanReport(rows, detected, notes, unknown,
                      {name: column.unlisted_rows for name, column in state.items() if column.unlisted_rows})


def _count(column: _Column, pending: dict[str, list], spec: FieldSpec, raw: object, line: int) -> None:
    try:
        text = spec.parse(raw)
    except ValueError:
        return  # reported by the import, with its line
    if text is None:
        return
    text = str(text)
    key = value_key(text)
    if key in column.known:
        return
    if key in column.unknown:
        column.unknown[key].rows += 1
    elif key in pending:
        pending[key][2] += 1
    else:
        pending[key] = [text, line, 1]


def _resolve(reference: Reference, session: object, column: _Column, pending: dict[str, list]) -> None:
    reference.prepare(session, [text for text, _line, _rows in pending.values()])  # type: ignore[arg-type]
    for key, (text, line, rows) in pending.items():
        try:
            reference.resolve(text)
        except Unresolved as why:
            if len(column.unknown) < MAX_UNKNOWN_VALUES:
                column.unknown[key] = _Unknown(text, rows, line, str(why))
            else:
                column.unlisted_rows += rows
            continue
        if len(column.known) < MAX_KNOWN_VALUES:
            column.known.add(key)


def _ambiguous_date(raw: object) -> bool:
    """A date like 3/1/2017, which reads as a date in either order (and differently)."""
    if not isinstance(raw, str) or date_evidence(raw) is not None:
        return False
    parts = raw.strip().replace(".", "/").replace("-", "/").split("/")
    return len(parts) == 3 and all(part.strip().isdigit() for part in parts) and parts[0] != parts[1] and (
        len(parts[0]) <= 2)


def _formats(numbers: Counter[str], dates: Counter[str], lines: dict[str, int]
             ) -> tuple[Formats, dict[str, list[str]]]:
    """The decimal mark and date order the file's values show, and notes on what stays uncertain."""
    notes: dict[str, list[str]] = {"decimal_mark": [], "date_order": []}
    decimal = None
    if numbers["."] and numbers[","]:
        decimal = "." if numbers["."] >= numbers[","] else ","
        notes["decimal_mark"].append(
            f"Numbers are written both ways (line {lines['number,']:,} with a decimal comma, line "
            f"{lines['number.']:,} with a decimal point); they are read with a decimal "
            f"{'point' if decimal == '.' else 'comma'}, and those written the other way are refused.")
    elif numbers["."] or numbers[","]:
        decimal = "." if numbers["."] else ","
    if decimal and numbers["either"]:
        thousands, example = ("comma", "1,100 is 1100") if decimal == "." else ("point", "1.100 is 1100")
        notes["decimal_mark"].append(
            f"{_counted(numbers['either'], 'number')} (the first on line {lines['number?']:,}) could be read either "
            f"way; the file's other numbers (line {lines['number' + decimal]:,}) use a decimal "
            f"{'point' if decimal == '.' else 'comma'}, so a {thousands} groups thousands ({example}).")
    order = None
    if dates["dmy"] and dates["mdy"]:
        order = "dmy" if dates["dmy"] >= dates["mdy"] else "mdy"
        notes["date_order"].append(
            f"Dates are written both ways (line {lines['dmy']:,} day first, line {lines['mdy']:,} "
            f"month first); they are read {DATE_ORDERS[order]}, and the others are refused.")
    elif dates["dmy"] or dates["mdy"]:
        order = "dmy" if dates["dmy"] else "mdy"
    elif dates["either"]:
        notes["date_order"].append(
            f"{_counted(dates['either'], 'date')} (the first on line {lines['either']:,}) read either way, like "
            "3/1/2017; "
            "nothing in the file says which, so they are read day first. Choose month first if the file writes "
            "mm/dd/yyyy.")
    return Formats(decimal_mark=decimal, date_order=order), notes  # type: ignore[arg-type]


def _counted(count: int, noun: str) -> str:
    """'1 number', '2 numbers'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _report(references: Mapping[str, Reference], state: Mapping[str, _Column], sessions: SessionFactory,
            database: object) -> dict[str, list[UnknownValue]]:
    report: dict[str, list[UnknownValue]] = {}
    for name, column in state.items():
        if not column.unknown:
            continue
        ranked = sorted(column.unknown.values(), key=lambda value: (-value.rows, value.first_line))
        with sessions(database) as session:  # type: ignore[arg-type]
            suggestions = references[name].suggest(session, [value.value for value in ranked[:MAX_SUGGESTED]])
        report[name] = []
        for value in ranked:
            found = suggestions.get(value.value)
            report[name].append(UnknownValue(
                value=value.value, rows=value.rows, first_line=value.first_line, reason=value.reason,
                suggestion=found.label if found else None, suggestion_id=found.id if found else None,
                suggestion_kind=found.kind if found else None,
            ))
    return report


def effective_formats(chosen: Formats, detected: Formats) -> Formats:
    """What the person chose, else what the file shows, else each value by its own shape."""
    return Formats(decimal_mark=chosen.decimal_mark or detected.decimal_mark,
                   date_order=chosen.date_order or detected.date_order)
