"""`python -m nexus360 …`: database, demo data, integrity checks, directory sync and the app server."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from nexus360.common.errors import Nexus360Error
from nexus360.config import PROJECT_ROOT, get_settings
from nexus360.db import Database


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print our errors as one clear line and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except Nexus360Error as error:
            raise click.ClickException(str(error)) from error

    return wrapper


def uses_embedded_server() -> bool:
    settings = get_settings()
    return any(settings.url_for(database.value) is None for database in Database)


@click.group()
def main() -> None:
    """Nexus360 command line."""


@main.group()
def db() -> None:
    """Databases: migrations and connection URLs."""


@db.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Create missing databases and migrate all eight to the newest revision."""
    from nexus360.db import migrate

    created = migrate.upgrade_all()
    for name in created:
        click.echo(f"created database {name}", err=True)
    click.echo("all eight databases are at the newest revision", err=True)


@db.command("urls")
@friendly_errors
def db_urls() -> None:
    """Print the URL of each database as one JSON object."""
    from nexus360.db import resolve_urls

    click.echo(json.dumps(resolve_urls(), indent=2))


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("seed")
@click.option("--reset", is_flag=True, help="Empty the demo tables first and load them again.")
@click.option(
    "--scale", type=click.Choice(["demo", "large"]), default="demo", show_default=True,
    help="large: add about 1,000,000 deals, 200,000 companies, 500,000 contacts and 1,000,000 leads "
    "(for benchmarks).",
)
@friendly_errors
def demo_seed(reset: bool, scale: str) -> None:
    """Load deterministic demo data into all eight databases (once, unless --reset)."""
    from nexus360.db import migrate
    from nexus360.demo import scale as scale_module
    from nexus360.demo import seed

    migrate.upgrade_all()
    say = lambda message: click.echo(message, err=True)  # noqa: E731
    counts = seed.seed_demo_data(reset=reset, progress=say)
    if scale == "large":
        counts = {**counts, **scale_module.seed_large(progress=say)}
    if not counts:
        click.echo("demo data is already loaded; nothing changed (use --reset to load it again)", err=True)
        return
    click.echo(json.dumps(counts, indent=2))


@main.command("check")
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
    click.echo("no orphaned references", err=True)


@main.group()
def auth() -> None:
    """Users and roles from Microsoft Entra ID."""


@auth.command("sync-directory")
@friendly_errors
def auth_sync_directory() -> None:
    """Create, update and deactivate users from Microsoft Graph; print the run as JSON (exit 1 if it failed)."""
    from nexus360.auth import directory, flows

    result = flows.run_directory_sync(directory.SYSTEM, settings=get_settings())
    click.echo(json.dumps(result.model_dump(), indent=2))
    if result.status == "error":
        raise click.exceptions.Exit(1)


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


@main.command("import")
@click.argument("entity", type=ImporterChoice())
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--map", "mappings", multiple=True, metavar="FIELD=COLUMN",
              help="Fill FIELD from the column named COLUMN (repeatable); FIELD= leaves the field out.")
@click.option("--dry-run", is_flag=True, help="Check every row and print what would happen; write nothing.")
@click.option("--as", "as_email", metavar="EMAIL", help="Act as this user (default: the first active admin).")
@click.option("--campaign", "campaign_name", metavar="NAME", help="leads only: put every row on this campaign.")
@friendly_errors
def import_csv(
    entity: str, file: Path, mappings: tuple[str, ...], dry_run: bool, as_email: str | None, campaign_name: str | None
) -> None:
    """Import FILE (CSV) into ENTITY and print one JSON summary; rows with problems are listed, not fatal."""
    from nexus360.common.errors import ValidationError
    from nexus360.db import session_scope
    from nexus360.importing import flows
    from nexus360.importing.core import parse_mapping

    mapping = parse_mapping(mappings)
    with session_scope(Database.AUTH) as session:
        principal = flows.operator_principal(session, email=as_email)
    options = {}
    if campaign_name is not None:
        if entity.lower() != "leads":
            raise ValidationError("--campaign applies to leads only.")
        from nexus360.marketing.importing import campaign_id_by_name

        with session_scope(Database.MARKETING, actor=principal) as session:
            options["campaign_id"] = campaign_id_by_name(session, campaign_name)
    summary = flows.import_file(
        entity.lower(), file, principal=principal, mapping=mapping, dry_run=dry_run, source_name=file.name,
        channel="cli", progress=_print_progress if sys.stderr.isatty() else None, options=options,
    )
    if sys.stderr.isatty():
        click.echo("", err=True)
    click.echo(json.dumps(summary.model_dump(mode="json")))


@main.group()
def commissions() -> None:
    """Commission runs."""


@commissions.command("run")
@click.option("--period", required=True, metavar="PERIOD", help="A quarter like 2026-Q3 or a month like 2026-07.")
@click.option("--as", "as_email", metavar="EMAIL", help="Act as this user (default: the first active admin).")
@friendly_errors
def commissions_run(period: str, as_email: str | None) -> None:
    """Compute every rep's draft statement for PERIOD and print a JSON summary."""
    from nexus360.compensation import flows as compensation_flows
    from nexus360.db import session_scope
    from nexus360.importing import flows as import_flows

    with session_scope(Database.AUTH) as session:
        principal = import_flows.operator_principal(session, email=as_email)
    result = compensation_flows.run_commissions(principal, period=period)
    click.echo(json.dumps(result.model_dump(mode="json")))


def _print_progress(progress: Any) -> None:
    share = f" ({progress.fraction:.0%})" if progress.fraction is not None else ""
    click.echo(f"\r{progress.rows:,} rows read{share}", err=True, nl=False)


@main.group()
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


@main.command("serve")
@click.option("--port", default=8501, show_default=True, envvar="STREAMLIT_SERVER_PORT", type=click.IntRange(1, 65535),
              help="Port of the web app (also STREAMLIT_SERVER_PORT; `make run PORT=8600`).")
@click.option("--address", default="127.0.0.1", show_default=True, envvar="STREAMLIT_SERVER_ADDRESS",
              help="Address to listen on (also STREAMLIT_SERVER_ADDRESS); 0.0.0.0 serves every interface.")
@click.option("--seed/--no-seed", default=True, show_default=True, help="Load demo data into empty databases.")
@friendly_errors
def serve(port: int, address: str, seed: bool) -> None:
    """Prepare the databases and run the app; stop the embedded server when the app stops."""
    from nexus360.db import embedded, migrate
    from nexus360.demo import seed as demo_seed_module

    embedded_in_use = uses_embedded_server()
    if embedded_in_use:
        click.echo(f"starting embedded PostgreSQL in {get_settings().data_dir}", err=True)
        embedded.ensure_running(get_settings().data_dir)
    migrate.upgrade_all()
    if seed and not demo_seed_module.is_seeded():
        click.echo("loading demo data (first run only)…", err=True)
        demo_seed_module.seed_demo_data(progress=lambda message: click.echo(message, err=True))
    try:
        sys.exit(_run_streamlit(port, address))
    finally:
        if embedded_in_use:
            embedded.stop(get_settings().data_dir)
            click.echo("embedded PostgreSQL stopped", err=True)


def streamlit_command(port: int, address: str) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "Home.py"),
        "--server.port", str(port), "--server.address", address, "--server.headless", "true",
    ]


def _run_streamlit(port: int, address: str) -> int:
    command = streamlit_command(port, address)
    host = "localhost" if address in ("127.0.0.1", "localhost", "0.0.0.0") else address
    click.echo(f"Nexus360 is at http://{host}:{port}  (Ctrl+C stops it)", err=True)
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=os.environ.copy())

    def forward(signum: int, _frame: Any) -> None:
        process.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    return process.wait()


@main.group()
def bench() -> None:
    """Benchmarks that print figures (JSON)."""


@bench.command("crm")
@click.option("--runs", default=15, show_default=True, type=click.IntRange(1, 1000), help="Timed runs per query.")
@click.option("--only", default=None, help="Only queries whose name contains this text.")
@friendly_errors
def bench_crm(runs: int, only: str | None) -> None:
    """Median and p95 of every CRM query, through the services and as raw SQL (seed --scale large first)."""
    from nexus360.bench import bench_crm as run_bench

    click.echo(json.dumps(run_bench(runs=runs, only=only), indent=2))


@bench.command("marketing")
@click.option("--runs", default=15, show_default=True, type=click.IntRange(1, 1000), help="Timed runs per query.")
@click.option("--only", default=None, help="Only queries whose name contains this text.")
@friendly_errors
def bench_marketing(runs: int, only: str | None) -> None:
    """Median and p95 of every Campaigns & Leads query (lead lists, export, campaigns, ROI), services and raw SQL."""
    from nexus360.bench_queries import bench_marketing as run_bench

    click.echo(json.dumps(run_bench(runs=runs, only=only), indent=2, default=str))


@bench.command("commissions")
@click.option("--runs", default=15, show_default=True, type=click.IntRange(1, 1000), help="Timed runs per query.")
@click.option("--only", default=None, help="Only queries whose name contains this text.")
@friendly_errors
def bench_commissions(runs: int, only: str | None) -> None:
    """Median and p95 of every Commissions query and of the run's won-deals read, services and raw SQL."""
    from nexus360.bench_queries import bench_commissions as run_bench

    click.echo(json.dumps(run_bench(runs=runs, only=only), indent=2, default=str))


from nexus360 import cli_forecasts  # noqa: E402  (the forecasts commands live in their own module)

main.add_command(cli_forecasts.forecasts)
bench.add_command(cli_forecasts.bench_forecasts)
