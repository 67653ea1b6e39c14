"""`import ENTITY FILE`: any registered importer, from a CSV file or an Excel workbook, as a user, audited like
the page's imports.

The questions the page asks about values that name nothing are answered with options (`--map-value`,
`--create-missing`, `--blank-unknown`, `--skip-unknown`, `--accept-suggestions`); `--dry-run` lists those values
with their row counts and suggestions in the JSON summary (`unknown`), so a script can decide. Answers given
for a file with the same columns before are applied again unless `--ignore-remembered`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nexus360.cli.common import AS_OPTION, acting_user, friendly_errors, say

DECIMAL_MARKS = {"point": ".", "comma": ","}


class ImporterChoice(click.Choice):
    """A click.Choice of the registered importers, loaded only when a command needs them."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=False)

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        from nexus360.importing.registry import importer_names

        return tuple(importer_names())

    @choices.setter
    def choices(self, _value: Any) -> None:
        pass  # always the registry's


@click.command("import")
@click.argument("entity", type=ImporterChoice())
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--map", "mappings", multiple=True, metavar="FIELD=COLUMN",
              help="Fill FIELD from the column named COLUMN (repeatable); FIELD= leaves the field out.")
@click.option("--map-value", "value_answers", multiple=True, metavar="COLUMN:VALUE=TARGET",
              help="In COLUMN, VALUE means TARGET, an existing name (repeatable); an empty TARGET leaves it blank, "
                   "+ creates it.")
@click.option("--create-missing", "create", multiple=True, metavar="COLUMN",
              help="Create the values of COLUMN that name nothing (industry, campaign), if you may.")
@click.option("--blank-unknown", "blank", multiple=True, metavar="COLUMN",
              help="Leave COLUMN blank where its value names nothing, without a warning per row.")
@click.option("--skip-unknown", "skip", multiple=True, metavar="COLUMN",
              help="Skip the rows whose COLUMN names nothing.")
@click.option("--accept-suggestions", is_flag=True,
              help="Map each value that names nothing to its suggestion, where it has one (not a similar company "
                   "name: map those with --map-value).")
@click.option("--decimal", type=click.Choice(sorted(DECIMAL_MARKS)), default=None,
              help="The decimal mark of the file's numbers (default: detected from the file).")
@click.option("--dates", type=click.Choice(["dmy", "mdy"]), default=None,
              help="Day first (dmy) or month first (mdy) for dates like 3/1/2017 (default: detected, else dmy).")
@click.option("--sheet", metavar="NAME", help="The sheet of an Excel workbook to read (default: the first).")
@click.option("--ignore-remembered", is_flag=True, help="Leave out the answers given for files with these columns.")
@click.option("--dry-run", is_flag=True, help="Check every row and print what would happen; write nothing.")
@AS_OPTION
@click.option("--campaign", "campaign_name", metavar="NAME", help="leads only: put every row on this campaign.")
@friendly_errors
def import_csv(
    entity: str, file: Path, mappings: tuple[str, ...], value_answers: tuple[str, ...], create: tuple[str, ...],
    blank: tuple[str, ...], skip: tuple[str, ...], accept_suggestions: bool, decimal: str | None,
    dates: str | None, sheet: str | None, ignore_remembered: bool, dry_run: bool, as_email: str | None,
    campaign_name: str | None,
) -> None:
    """Import FILE (CSV or .xlsx) into ENTITY and print one JSON summary; rows with problems are listed, not fatal."""
    from nexus360.auth.audit import service as audit
    from nexus360.importing import flows
    from nexus360.importing.core import ImportPlan, parse_mapping
    from nexus360.importing.memory import Remembered
    from nexus360.importing.parsers import Formats

    entity = entity.lower()
    principal = acting_user(as_email)
    options = _options(entity, campaign_name, principal)
    mapping = parse_mapping(mappings)
    layout = flows.inspect_file(entity, file, mapping=mapping, sheet=sheet)
    remembered = None if ignore_remembered else flows.recall(entity, layout.header, principal=principal)
    if remembered is not None:
        mapping = {**remembered.mapping, **mapping}
        sheet = sheet or remembered.sheet
    chosen = flows.choices_from_answers(entity, file, principal=principal, mapping=mapping, sheet=sheet,
                                        options=options, values=value_answers, create=create, blank=blank, skip=skip)
    choices = remembered.choices.merged(chosen) if remembered is not None else chosen
    earlier = remembered or Remembered()
    formats = Formats(decimal_mark=DECIMAL_MARKS[decimal] if decimal else earlier.decimal_mark,  # type: ignore[arg-type]
                      date_order=dates or earlier.date_order)  # type: ignore[arg-type]
    plan = ImportPlan(formats=formats, choices=choices, sheet=sheet)
    checked = None
    if accept_suggestions:
        from nexus360.importing.answers import accept_suggestions as accept

        checked = flows.check_file(entity, file, principal=principal, mapping=mapping, plan=plan, options=options,
                                   progress=_progress())
        plan = ImportPlan(formats=formats, choices=accept(checked, choices), sheet=sheet)
    summary = flows.import_file(
        entity, file, principal=principal, audit_log=audit.record, mapping=mapping, plan=plan, dry_run=dry_run,
        source_name=file.name, channel="cli", progress=_progress(), options=options, checked=checked,
    )
    if remembered is not None:
        summary.notes.append("The answers you gave for a file with these columns before were applied "
                             "(--ignore-remembered leaves them out).")
    _end_progress()
    for note in _missing_related(entity, summary):
        summary.notes.append(note)
        click.echo(note, err=True)
    click.echo(json.dumps(summary.model_dump(mode="json")))


def _missing_related(entity: str, summary: Any) -> list[str]:
    """For a column naming records of another file (a deal's company): which are missing, and what to do."""
    from nexus360.importing.registry import get_importer

    notes = []
    for name, related in get_importer(entity).related.items():
        missing = [value for value in summary.unknown.get(name, ()) if value.decision is None
                   or value.decision.action != "map"]
        if not missing:
            continue
        rows = sum(value.rows for value in missing)
        shown = ", ".join(f"'{value.value}'" for value in missing[:MISSING_NAMED])
        more = f" and {len(missing) - MISSING_NAMED:,} more" if len(missing) > MISSING_NAMED else ""
        notes.append(f"{len(missing):,} {related if len(missing) > 1 else name} named in column {name} "
                     f"{'are' if len(missing) > 1 else 'is'} not in the CRM ({rows:,} rows): {shown}{more}. Import "
                     f"the {related} file first (python -m nexus360 import {related} FILE), or map a name to a "
                     f"similar one with --map-value {name}:NAME=TARGET; \"unknown\" lists each with its rows and "
                     "similar name.")
    return notes


def _options(entity: str, campaign_name: str | None, principal: Any) -> dict[str, Any]:
    if campaign_name is None:
        return {}
    from nexus360.common.errors import ValidationError
    from nexus360.db import Database, session_scope
    from nexus360.marketing.importing.service import campaign_id_by_name

    if entity != "leads":
        raise ValidationError("--campaign applies to leads only.")
    with session_scope(Database.MARKETING, actor=principal) as session:
        return {"campaign_id": campaign_id_by_name(session, campaign_name)}


MISSING_NAMED = 10  # names listed in the note about records of another file
PHASES = {"check": "Checking the file", "import": "Importing"}


def _progress() -> Any:
    """Progress on stderr: one updating line on a terminal, else a line at every tenth of the file."""
    interactive = sys.stderr.isatty()
    shown: dict[str, int] = {}

    def show(progress: Any) -> None:
        share = f" ({progress.fraction:.0%})" if progress.fraction is not None else ""
        text = f"{PHASES[progress.phase]}: {progress.rows:,} rows{share}"
        if interactive:
            click.echo(f"\r{text}\033[K", err=True, nl=False)
            return
        tenth = int((progress.fraction or 0) * 10)
        if shown.get(progress.phase, -1) < tenth:
            shown[progress.phase] = tenth
            say(text)

    return show


def _end_progress() -> None:
    if sys.stderr.isatty():
        click.echo("", err=True)
