"""`integrations logs|log|retry|queue`: the run log, one entry's payload, replays and the job queue; what the
Integrations page's Run log and Retention tabs show. Joined to the `integrations` group in cli/integrations."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from nexus360.cli.common import AS_OPTION, acting_user, echo_json, friendly_errors
from nexus360.common.errors import ValidationError

JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def app_settings():
    from nexus360.config import get_settings

    return get_settings()


def show(value, as_json: bool, line: str) -> None:
    if as_json:
        echo_json(value)
    else:
        click.echo(line)


def connector_named(principal: Any, name: str):
    """The connector named `name` (one sentence naming it when there is none)."""
    from nexus360.db import Database, session_scope
    from nexus360.integrations.connectors import service

    with session_scope(Database.INTEGRATION, actor=principal) as session:
        return service.get_connector(session, principal, name=name, settings=app_settings())


@click.command("logs")
@click.option("--name", default=None)
@click.option("--status", type=click.Choice(["success", "failed"]), default=None)
@click.option("--event", default=None)
@click.option("--since", default="24h", show_default=True)
@click.option("--until", default=None, help="ISO time (UTC) or 30m / 24h / 7d ago; default now.")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@AS_OPTION
@JSON_OPTION
@friendly_errors
def logs_command(name, status, event, since, until, limit, as_email, as_json) -> None:
    """The run log, newest first (each entry's id opens it with `integrations log ID`)."""
    from nexus360.db import Database, session_scope
    from nexus360.integrations.logs import service as logs
    from nexus360.integrations.logs.schemas import LogFilters

    principal = acting_user(as_email)
    connector_id = connector_named(principal, name).id if name else None
    filters = LogFilters(since=parse_since(since), until=parse_since(until, "--until") if until else None,
                         integration_id=connector_id, status=status, event_type=event)
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        page = logs.list_logs(session, principal, limit=limit, filters=filters)
    rows = [asdict(row) for row in page.rows]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(f"{row['id']}\t{row['created_at']:%Y-%m-%d %H:%M:%S}\t{row['integration']}\t{row['event_type']}\t"
                   f"{row['status']}\t{row['status_code'] or ''}\t{row['error'] or ''}")


@click.command("log")
@click.argument("log_id", type=int)
@AS_OPTION
@JSON_OPTION
@friendly_errors
def log_command(log_id: int, as_email: str | None, as_json: bool) -> None:
    """One run log entry with its payload (secrets masked) and the receiver's response."""
    from nexus360.db import Database, session_scope
    from nexus360.integrations.logs import service as logs

    principal = acting_user(as_email)
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        detail = logs.get_log(session, principal, log_id=log_id)
    if as_json:
        echo_json(asdict(detail))
        return
    row = detail.log
    click.echo(f"{row.created_at:%Y-%m-%d %H:%M:%S} UTC\t{row.integration}\t{row.event_type}\t{row.status}"
               + (f"\tHTTP {row.status_code}" if row.status_code else "") + (f"\n{row.error}" if row.error else ""))
    click.echo(f"payload: {detail.payload!r}")
    if detail.response_excerpt:
        click.echo(f"response: {detail.response_excerpt}")


@click.command("retry")
@click.option("--since", default=None, help="ISO time (UTC), e.g. 2026-07-01T08:00, or 24h / 7d ago.")
@click.option("--log", "log_id", type=int, default=None, help="Only the delivery of this run log entry.")
@click.option("--name", default=None, help="Only this webhook (with --since).")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def retry(since: str | None, log_id: int | None, name: str | None, as_email: str | None, as_json: bool) -> None:
    """Queue again every webhook delivery that failed for good since TIME, or the one of --log ID."""
    from nexus360.db import Database, session_scope
    from nexus360.integrations.webhooks import service as webhooks

    if (since is None) == (log_id is None):
        raise ValidationError("retry: give --since TIME (every failed delivery since then) or --log ID (one).")
    principal = acting_user(as_email)
    if log_id is not None:
        with session_scope(Database.INTEGRATION, actor=principal) as session:
            hook = webhooks.retry_log(session, principal, log_id=log_id)
        show({"queued": 1, "log_id": log_id, "integration": hook}, as_json, f"queued again for {hook}")
        return
    moment = parse_since(since or "")
    connector_id = connector_named(principal, name).id if name else None
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        count = webhooks.retry_failed_since(session, principal, since=moment, connector_id=connector_id)
    show({"queued": count, "since": moment.isoformat()}, as_json,
          f"queued {count} deliver{'y' if count == 1 else 'ies'} again")


@click.command("queue")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def queue(as_email: str | None, as_json: bool) -> None:
    """The worker's queue (waiting, running, failed for good) and the run log's retention."""
    from nexus360.db import Database, session_scope
    from nexus360.integrations.logs import service as logs

    principal = acting_user(as_email)
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        counts = logs.queue_counts(session, principal)
    settings = app_settings()
    result = {**asdict(counts), "log_retention_days": settings.integrations_log_retention_days,
              "log_max_rows": settings.integrations_log_max_rows}
    show(result, as_json, f"waiting {counts.queued}\trunning {counts.running}\tfailed {counts.failed}\t"
          f"logs kept {result['log_retention_days']} days, at most {result['log_max_rows']:,} rows per integration")


def parse_since(value: str, option: str = "--since") -> datetime:
    """'24h', '7d', '30m' ago, or an ISO time read as UTC."""
    from nexus360.common.clock import SYSTEM_CLOCK

    text = value.strip().lower()
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if text[:-1].isdigit() and text[-1:] in units:
        return SYSTEM_CLOCK.now() - timedelta(**{units[text[-1]]: int(text[:-1])})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"{option} {value!r}: give an ISO time (2026-07-01T08:00) or 30m, 24h, 7d.") from None
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


COMMANDS = (logs_command, log_command, retry, queue)
