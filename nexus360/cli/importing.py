"""`import ENTITY FILE.csv`: any registered importer, as a user, audited like the page's imports."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nexus360.cli.common import AS_OPTION, acting_user, friendly_errors


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
@click.option("--dry-run", is_flag=True, help="Check every row and print what would happen; write nothing.")
@AS_OPTION
@click.option("--campaign", "campaign_name", metavar="NAME", help="leads only: put every row on this campaign.")
@friendly_errors
def import_csv(
    entity: str, file: Path, mappings: tuple[str, ...], dry_run: bool, as_email: str | None, campaign_name: str | None
) -> None:
    """Import FILE (CSV) into ENTITY and print one JSON summary; rows with problems are listed, not fatal."""
    from nexus360.auth import audit
    from nexus360.common.errors import ValidationError
    from nexus360.db import Database, session_scope
    from nexus360.importing import flows
    from nexus360.importing.core import parse_mapping

    mapping = parse_mapping(mappings)
    principal = acting_user(as_email)
    options = {}
    if campaign_name is not None:
        if entity.lower() != "leads":
            raise ValidationError("--campaign applies to leads only.")
        from nexus360.marketing.importing.service import campaign_id_by_name

        with session_scope(Database.MARKETING, actor=principal) as session:
            options["campaign_id"] = campaign_id_by_name(session, campaign_name)
    summary = flows.import_file(
        entity.lower(), file, principal=principal, audit_log=audit.record, mapping=mapping, dry_run=dry_run,
        source_name=file.name, channel="cli", progress=_print_progress if sys.stderr.isatty() else None,
        options=options,
    )
    if sys.stderr.isatty():
        click.echo("", err=True)
    click.echo(json.dumps(summary.model_dump(mode="json")))


def _print_progress(progress: Any) -> None:
    share = f" ({progress.fraction:.0%})" if progress.fraction is not None else ""
    click.echo(f"\r{progress.rows:,} rows read{share}", err=True, nl=False)
