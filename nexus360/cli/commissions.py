"""`commissions run --period P`: compute every rep's draft statement."""

from __future__ import annotations

import json

import click

from nexus360.cli.common import AS_OPTION, acting_user, friendly_errors


@click.group()
def commissions() -> None:
    """Commission runs."""


@commissions.command("run")
@click.option("--period", required=True, metavar="PERIOD", help="A quarter like 2026-Q3 or a month like 2026-07.")
@AS_OPTION
@friendly_errors
def commissions_run(period: str, as_email: str | None) -> None:
    """Compute every rep's draft statement for PERIOD and print a JSON summary."""
    from nexus360.compensation import flows as compensation_flows

    result = compensation_flows.run_commissions(acting_user(as_email), period=period)
    click.echo(json.dumps(result.model_dump(mode="json")))
