"""`python -m nexus360 forecasts generate|backtest` and `bench forecasts` (registered in cli/__init__.py)."""

from __future__ import annotations

import json
from decimal import Decimal

import click

from nexus360.cli.common import acting_user as _principal
from nexus360.cli.common import friendly_errors
from nexus360.db import Database


def _json(value) -> str:
    """Money as numbers (Decimal), dates as ISO text."""
    return json.dumps(value, indent=2, ensure_ascii=False,
                      default=lambda item: float(item) if isinstance(item, Decimal) else str(item))


def _scope(text: str) -> str:
    """company, team:EMAIL or rep:EMAIL as the flows' scope code (ids)."""
    from nexus360.auth import service as auth_service
    from nexus360.common.errors import NotFoundError, ValidationError
    from nexus360.db import session_scope

    kind, _, who = (text or "").strip().partition(":")
    kind = kind.lower()
    if kind == "company" and not who:
        return "company"
    if kind not in ("team", "rep") or not who.strip():
        raise ValidationError(f"--scope '{text}' is not valid: write company, team:EMAIL or rep:EMAIL.")
    with session_scope(Database.AUTH, admin=True) as session:
        try:
            user = auth_service.get_principal_by_email(session, who.strip())
        except NotFoundError as error:
            raise ValidationError(f"--scope {text}: {error}") from error
    return f"{kind}:{user.id}"


@click.group("forecasts")
def forecasts() -> None:
    """Forecasts: generate a period's, backtest the methods."""


@forecasts.command("generate")
@click.option("--period", required=True, metavar="PERIOD", help="A quarter like 2026-Q4 or a month like 2026-11.")
@click.option("--scope", default="company", show_default=True, metavar="SCOPE",
              help="company, team:EMAIL (a manager's team) or rep:EMAIL.")
@click.option("--as", "as_email", metavar="EMAIL", help="Act as this user (default: the first active admin).")
@friendly_errors
def forecasts_generate(period: str, scope: str, as_email: str | None) -> None:
    """Compute every method for PERIOD and SCOPE, keep them as a snapshot, print them as one JSON object."""
    from nexus360.forecasting import flows

    result = flows.generate(_principal(as_email), period=period, scope=_scope(scope))
    methods = {
        method.method: {
            "label": method.label, "value": method.value, "low": method.low, "high": method.high,
            "confidence": method.confidence, "explanation": method.explanation,
            "factors": [{"name": f.name, "value": f.value, **({} if f.contributes else {"information": True})}
                        for f in method.factors],
        }
        for method in result.methods
    }
    click.echo(_json({"period": result.period, "scope": result.scope, "scope_label": result.scope_label,
                      "snapshot_id": result.snapshot_id, "deals": result.deals, "methods": methods}))


@forecasts.command("backtest")
@click.option("--periods", default=8, show_default=True, type=click.IntRange(1, 24), help="Closed periods to judge.")
@click.option("--kind", type=click.Choice(["quarter", "month"]), default="quarter", show_default=True)
@click.option("--as", "as_email", metavar="EMAIL", help="Act as this user (default: the first active admin).")
@friendly_errors
def forecasts_backtest(periods: int, kind: str, as_email: str | None) -> None:
    """Each method's MAPE, MASE and bias over the last closed periods, as JSON."""
    from nexus360.forecasting.accuracy import flows

    click.echo(_json(flows.backtest(_principal(as_email), periods=periods, kind=kind)))


@click.command("forecasts")
@click.option("--runs", default=15, show_default=True, type=click.IntRange(1, 1000), help="Timed runs per query.")
@click.option("--only", default=None, help="Only queries whose name contains this text.")
@friendly_errors
def bench_forecasts(runs: int, only: str | None) -> None:
    """Median and p95 of every Forecasts query (services and raw SQL), and of generating a company quarter."""
    from nexus360.bench.forecasts import bench_forecasts as run_bench

    click.echo(_json(run_bench(runs=runs, only=only)))
