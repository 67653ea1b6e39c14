"""`demo seed [--reset] [--scale large]`: the demo data."""

from __future__ import annotations

import click

from nexus360.cli.common import echo_json, friendly_errors, say


@click.group()
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
    counts = seed.seed_demo_data(reset=reset, progress=say)
    if scale == "large":
        counts = {**counts, **scale_module.seed_large(progress=say)}
    if not counts:
        say("demo data is already loaded; nothing changed (use --reset to load it again)")
        return
    echo_json(counts)
