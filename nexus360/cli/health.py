"""`health`: every database reachable, migrated and guarded, and the worker keeping up (JSON; exit 1 if not)."""

from __future__ import annotations

import click

from nexus360.cli.common import echo_json, friendly_errors


@click.command("health")
@friendly_errors
def health() -> None:
    """Check the eight databases (reachable, migrated to head, row-level security on) and the worker; prints
    JSON and exits 1 when something is wrong."""
    from nexus360.ops.health import health as check

    report = check()
    echo_json(report)
    if not report["ok"]:
        raise click.exceptions.Exit(1)
