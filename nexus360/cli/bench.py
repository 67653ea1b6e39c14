"""`bench crm|marketing|commissions`: time every query a page runs (JSON figures; see nexus360.bench)."""

from __future__ import annotations

import click

from nexus360.cli.common import echo_json, friendly_errors

RUNS = click.option("--runs", default=15, show_default=True, type=click.IntRange(1, 1000), help="Timed runs per query.")
ONLY = click.option("--only", default=None, help="Only queries whose name contains this text.")


@click.group()
def bench() -> None:
    """Benchmarks that print figures (JSON)."""


@bench.command("pages")
@click.option("--runs", default=5, show_default=True, type=click.IntRange(1, 100), help="Timed reruns per figure.")
@click.option("--role", "roles", multiple=True, type=click.Choice(["manager", "rep", "marketer", "admin"]),
              help="Only these demo users (repeatable; default all four).")
@click.option("--only", default=None, help="Only pages whose address contains this text.")
@click.option("--markdown", is_flag=True, help="Print README's table instead of JSON.")
@click.option("--cold", is_flag=True, help="No background warm-ups (nexus360.ui.warming): a filter value chosen for "
              "the first time is computed in the rerun, as with nobody having opened its view before.")
@friendly_errors
def bench_pages(runs: int, roles: tuple[str, ...], only: str | None, markdown: bool, cold: bool) -> None:
    """Script time (median/p95 ms) and SQL statements of every page, tab and interaction, per role, under AppTest."""
    from nexus360.bench.pages import ROLES, as_markdown
    from nexus360.bench.pages import bench_pages as run_bench
    from nexus360.ui import warming

    warming.enabled = not cold
    report = run_bench(runs=runs, roles=roles or ROLES, only=only)
    click.echo(as_markdown(report)) if markdown else echo_json(report)


@bench.command("browser")
@click.option("--url", default="http://localhost:8501", show_default=True, help="A running app (`make run`).")
@click.option("--user", default="manager", show_default=True,
              type=click.Choice(["manager", "rep", "marketer", "admin"]))
@click.option("--runs", default=5, show_default=True, type=click.IntRange(1, 50), help="Timed loads per page.")
@click.option("--page", "pages", multiple=True, default=("home", "crm", "campaigns", "commissions", "forecasts"),
              show_default=True, help="Page addresses to time (repeatable).")
@friendly_errors
def bench_browser(url: str, user: str, runs: int, pages: tuple[str, ...]) -> None:
    """Seconds a person waits in Chromium: navigation to a drawn, idle page (warm), against a floor page."""
    from nexus360.bench.browser import bench_browser as run_bench

    echo_json(run_bench(url=url, user=user, runs=runs, pages=pages))


@bench.command("crm")
@RUNS
@ONLY
@friendly_errors
def bench_crm(runs: int, only: str | None) -> None:
    """Median and p95 of every CRM query, through the services and as raw SQL (seed --scale large first)."""
    from nexus360.bench.crm import bench_crm as run_bench

    echo_json(run_bench(runs=runs, only=only))


@bench.command("marketing")
@RUNS
@ONLY
@friendly_errors
def bench_marketing(runs: int, only: str | None) -> None:
    """Median and p95 of every Campaigns & Leads query (lead lists, export, campaigns, ROI), services and raw SQL."""
    from nexus360.bench.marketing import bench_marketing as run_bench

    echo_json(run_bench(runs=runs, only=only))


@bench.command("commissions")
@RUNS
@ONLY
@friendly_errors
def bench_commissions(runs: int, only: str | None) -> None:
    """Median and p95 of every Commissions query and of the run's won-deals read, services and raw SQL."""
    from nexus360.bench.compensation import bench_commissions as run_bench

    echo_json(run_bench(runs=runs, only=only))


@bench.command("integrations")
@RUNS
@ONLY
@click.option("--seed", type=click.IntRange(0, 100_000_000), default=None,
              help="First load this many bench run-log rows (once; e.g. 10000000, in a data dir of its own).")
@friendly_errors
def bench_integrations(runs: int, only: str | None, seed: int | None) -> None:
    """Median and p95 of every Integrations page query (log lists per filter, health tiles), services and raw SQL."""
    from nexus360.bench.integrations import bench_integrations as run_bench
    from nexus360.cli.common import say

    echo_json(run_bench(runs=runs, only=only, seed=seed, progress=say))
