"""`backup DIR` and `restore DIR`: all eight databases to pg_dump files with a manifest of row counts, and back."""

from __future__ import annotations

from pathlib import Path

import click

from nexus360.cli.common import echo_json, friendly_errors, say

DIRECTORY = click.argument("directory", type=click.Path(file_okay=False, path_type=Path))


@click.command("backup")
@DIRECTORY
@friendly_errors
def backup(directory: Path) -> None:
    """Dump every database (pg_dump, custom format) into DIRECTORY (new or empty), with manifest.json: each
    table's rows, each database's revision, each file's checksum. Prints the manifest."""
    from nexus360.ops.backup import backup as run

    echo_json(run(directory, progress=say))


@click.command("restore")
@DIRECTORY
@friendly_errors
def restore(directory: Path) -> None:
    """Restore a backup into empty databases (created where missing) and check every table's row count."""
    from nexus360.ops.backup import restore as run

    echo_json(run(directory, progress=say))
