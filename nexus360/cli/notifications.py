"""`notifications send-due | slipping-deals | prune`, and `bench notifications`: what a scheduler (or the worker)
runs for notifications, outside any page's request.

    python -m nexus360 notifications send-due        every minute: due e-mails and digests (safe twice at once)
    python -m nexus360 notifications slipping-deals  daily: owners of open deals past their close date
    python -m nexus360 notifications prune           daily: archived notifications past the retention setting
"""

from __future__ import annotations

from datetime import datetime

import click

from nexus360.cli.common import AS_OPTION, acting_user, echo_json, friendly_errors, say


@click.group()
def notifications() -> None:
    """Notification e-mails, digests, daily events and retention."""


def run_send_due(*, settings=None, now: datetime | None = None, batch: int | None = None):
    """Send what is due, logging every send in the integration log (the worker runs the same function,
    `nexus360.integrations.email.flows.send_due_notifications`)."""
    from nexus360.integrations.email.flows import send_due_notifications

    return send_due_notifications(settings=settings, now=now, batch=batch)


@notifications.command("send-due")
@click.option("--batch", default=50, show_default=True, type=click.IntRange(1, 1000),
              help="E-mails per transaction (rows stay locked while their batch is sent).")
@friendly_errors
def send_due(batch: int) -> None:
    """Send due e-mails and daily digests; prints what was done (JSON). Exits 1 if e-mail is not set up."""
    report = run_send_due(batch=batch)
    echo_json(report.model_dump())
    if report.problem:
        raise click.ClickException(report.problem)


@notifications.command("slipping-deals")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to check as (default: today in UTC).")
@AS_OPTION
@friendly_errors
def slipping_deals(today: datetime | None, as_email: str | None) -> None:
    """Tell owners of open deals whose close date passed (each deal once per close date)."""
    from nexus360.crm.deals import flows

    told = flows.notify_slipping_deals(acting_user(as_email), today=today.date() if today else None)
    echo_json({"told": told})


@notifications.command("prune")
@friendly_errors
def prune() -> None:
    """Delete archived notifications older than NEXUS360_NOTIFICATIONS_RETENTION_DAYS, in batches."""
    from nexus360.notifications import flows

    echo_json(flows.prune())


@click.command("notifications")
@click.option("--runs", default=200, show_default=True, type=click.IntRange(10, 100_000),
              help="Timed calls per figure (random users).")
@click.option("--seed", "rows", type=click.IntRange(0, 50_000_000), default=0,
              help="First load this many notifications (COPY) across --users users; 0: use what is there.")
@click.option("--users", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@friendly_errors
def bench_notifications(runs: int, rows: int, users: int) -> None:
    """Inbox page, filters, next page and badge at scale: median and p95 ms (JSON)."""
    from nexus360.bench.notifications import bench, seed

    if rows:
        say(f"Loading {rows:,} notifications for {users:,} users ...")
        say(seed(rows=rows, users=users))
    echo_json(bench(runs=runs))
