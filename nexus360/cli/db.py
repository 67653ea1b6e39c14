"""`db upgrade|urls` and `server start|stop`: the databases and the embedded PostgreSQL server."""

from __future__ import annotations

import json

import click

from nexus360.cli.common import friendly_errors, say
from nexus360.config import get_settings


@click.group()
def db() -> None:
    """Databases: migrations and connection URLs."""


@db.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Create missing databases and migrate all eight to the newest revision."""
    from nexus360.db import migrate

    created = migrate.upgrade_all()
    for name in created:
        say(f"created database {name}")
    say("all eight databases are at the newest revision")


@db.command("urls")
@friendly_errors
def db_urls() -> None:
    """Print the URL of each database as one JSON object."""
    from nexus360.db import resolve_urls

    click.echo(json.dumps(resolve_urls(), indent=2))


@click.group()
def server() -> None:
    """The embedded PostgreSQL server (used for databases without a URL)."""


@server.command("start")
@friendly_errors
def server_start() -> None:
    """Start the embedded server (or report the one already running)."""
    from nexus360.db import embedded

    running = embedded.ensure_running(get_settings().data_dir)
    click.echo(f"embedded PostgreSQL running: {running.host_label}")


@server.command("stop")
def server_stop() -> None:
    """Stop the embedded server cleanly."""
    from nexus360.db import embedded

    stopped = embedded.stop(get_settings().data_dir)
    click.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
