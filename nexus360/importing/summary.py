"""What an import did (or, for a dry run, would do): counts, skipped rows and warnings by line, the values of
reference columns that named nothing (with their suggestions and what was decided), what was created."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from nexus360.importing.values import Decision, TargetId

MAX_REPORTED_ERRORS = 1000  # row errors (and warnings) kept in a summary; the counts still count them all
Action = Literal["insert", "update", "unchanged", "error"]


class RowError(BaseModel):
    """One row that was not imported: its line in the file and why, in plain words."""

    line: int
    reason: str


class RowWarning(BaseModel):
    """A row imported without one of its values: its line, the column, the value and why."""

    line: int
    column: str
    value: str
    reason: str


class UnknownValue(BaseModel):
    """A distinct value of a reference column that names nothing: how many rows hold it, where it first
    occurs, a suggestion, and what this import does with it (None: left blank if the field is optional)."""

    value: str
    rows: int
    first_line: int
    reason: str
    suggestion: str | None = None
    suggestion_id: TargetId | None = None
    suggestion_kind: str | None = None
    decision: Decision | None = None


@dataclass
class RowOutcome:
    """What happened (or, in a dry run, would happen) to one row, with its values as a person reads them."""

    line: int
    action: Action
    values: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    warnings: list[RowWarning] = field(default_factory=list)  # values left blank without a decision
    blank_by_choice: list[RowWarning] = field(default_factory=list)  # values left blank as the person chose


class ImportSummary(BaseModel):
    """What an import did (or, for a dry run, would do)."""

    entity: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows not imported: each has a row error (the first MAX_REPORTED_ERRORS are listed)
    errors: list[RowError] = []
    errors_truncated: bool = False
    warned: int = 0  # values left blank: each has a warning (the first MAX_REPORTED_ERRORS are listed)
    warnings: list[RowWarning] = []
    warnings_truncated: bool = False
    unknown: dict[str, list[UnknownValue]] = {}  # field -> its values that name nothing, most rows first
    created: dict[str, list[str]] = {}  # field -> the values created as new records
    formats: dict[str, str | None] = {}  # decimal_mark, date_order: as read
    notes: list[str] = []  # what the file's reading assumed, in words
    dry_run: bool = False
    rows: int = 0

    def tally(self, outcomes: Sequence[RowOutcome]) -> None:
        """Count a batch's outcomes once its transaction has committed."""
        self.rows += len(outcomes)
        for outcome in outcomes:
            if outcome.action != "error":  # a skipped row's warnings would only repeat its error
                for warning in outcome.warnings:
                    self.add_warning(warning)
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

    def add_warning(self, warning: RowWarning) -> None:
        self.warned += 1
        if len(self.warnings) < MAX_REPORTED_ERRORS:
            self.warnings.append(warning)
        else:
            self.warnings_truncated = True
