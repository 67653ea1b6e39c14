"""`python -m nexus360 …`: one module per verb group, each registered below with one line.

A command parses its arguments, calls a service or flow, prints JSON (or a line on stderr) and exits
non-zero with one sentence on bad input (`common.friendly_errors`). See docs/architecture.md, "Add a command".
"""

from __future__ import annotations

import click

from nexus360.cli import (
    auth,
    backup,
    bench,
    chat,
    check,
    commissions,
    db,
    demo,
    forecasts,
    health,
    importing,
    integrations,
    notifications,
    serve,
    worker,
)
from nexus360.cli.common import configure_logging
from nexus360.cli.sessions import bench_sessions


@click.group()
def main() -> None:
    """Nexus360 command line."""
    configure_logging()


main.add_command(db.db)
main.add_command(demo.demo)
main.add_command(check.check)
main.add_command(auth.auth)
main.add_command(importing.import_csv)
main.add_command(commissions.commissions)
main.add_command(db.server)
main.add_command(serve.serve)
main.add_command(bench.bench)
main.add_command(chat.kb)
main.add_command(chat.ask)
main.add_command(integrations.integrations)
main.add_command(worker.worker)
bench.bench.add_command(chat.bench_assistant)
main.add_command(notifications.notifications)
bench.bench.add_command(notifications.bench_notifications)
main.add_command(forecasts.forecasts)
main.add_command(health.health)
main.add_command(backup.backup)
main.add_command(backup.restore)
bench.bench.add_command(forecasts.bench_forecasts)
bench.bench.add_command(bench_sessions)
