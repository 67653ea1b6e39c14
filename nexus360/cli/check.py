"""`check`: rows whose cross-database references point nowhere."""

from __future__ import annotations

import click

from nexus360.cli.common import friendly_errors, say


@click.command("check")
@friendly_errors
def check() -> None:
    """Report rows whose cross-database references (users, hand-off links) point nowhere (exit 1 if any)."""
    from nexus360.integrity import check_references

    orphans = check_references()
    for orphan in orphans:
        click.echo(
            f"{orphan.database}.{orphan.table} id={orphan.row_id}: {orphan.column}={orphan.missing_id} "
            f"has no row in {orphan.target}"
        )
    if orphans:
        raise click.ClickException(f"{len(orphans)} row(s) refer to users or records that do not exist")
    say("no orphaned references")
