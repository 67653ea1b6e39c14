"""`integrations …`: connectors, their tests, run logs and replays; what the Integrations page does."""

from __future__ import annotations

from dataclasses import asdict

import click

from nexus360.cli import integration_runs
from nexus360.cli.common import AS_OPTION, acting_user, echo_json, friendly_errors
from nexus360.cli.integration_runs import JSON_OPTION, app_settings, connector_named, show
from nexus360.common.errors import ValidationError


@click.group()
def integrations() -> None:
    """Connectors (webhooks, Microsoft Graph, SMTP, AI provider), their health, logs and replays."""


for _command in integration_runs.COMMANDS:
    integrations.add_command(_command)


@integrations.command("list")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def list_connectors(as_email: str | None, as_json: bool) -> None:
    """Every connector with its health."""
    from nexus360.db import Database, session_scope
    from nexus360.integrations.connectors import service
    from nexus360.integrations.logs import service as logs

    principal = acting_user(as_email)
    with session_scope(Database.INTEGRATION, actor=principal) as session:
        connectors = service.list_connectors(session, principal, settings=app_settings())
        health = {tile.integration_id: tile for tile in logs.health(session, principal, settings=app_settings())}
    rows = [{**asdict(c), "health": asdict(health[c.id]) if c.id in health else None} for c in connectors]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        state = row["health"]["state"] if row["health"] else "unknown"
        click.echo(f"{row['name']}\t{row['type_label']}\t{'on' if row['is_active'] else 'off'}\t{state}")


@integrations.group("add")
def add() -> None:
    """Add a connector (secrets: paste them, or name env:VARIABLE / secrets:key)."""


def _add(type: str, name: str, values: dict, as_email: str | None, as_json: bool) -> None:
    from nexus360.integrations.connectors import flows

    created = flows.add_connector(acting_user(as_email), type=type, name=name, values=values, settings=app_settings())
    result = {**asdict(created.connector)}
    if created.shown_once:
        result["signing_secret"] = created.shown_once  # shown this once: the receiver needs it
    show(result, as_json, f"added {created.connector.type_label} {created.connector.name}"
          + (f"\nsigning secret (shown once): {created.shown_once}" if created.shown_once else ""))


def _events(value: str) -> list[str]:
    return [event.strip() for event in value.split(",") if event.strip()]


@add.command("webhook")
@click.option("--name", required=True)
@click.option("--url", required=True)
@click.option("--events", required=True, help="Comma-separated: deal.created,deal.won,deal.lost,…")
@click.option("--secret", default=None, help="whsec_… or env:VARIABLE; default: a new one, printed once.")
@click.option("--allow-private", is_flag=True, help="Allow loopback and private addresses for this endpoint.")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def add_webhook(name, url, events, secret, allow_private, as_email, as_json) -> None:
    """An outgoing webhook signed per Standard Webhooks."""
    _add("webhook", name, {"url": url, "events": _events(events), "secret": secret, "allow_private": allow_private},
         as_email, as_json)


@add.command("smtp")
@click.option("--name", required=True)
@click.option("--host", required=True)
@click.option("--port", type=int, default=587, show_default=True)
@click.option("--security", type=click.Choice(["starttls", "ssl", "none"]), default="starttls", show_default=True)
@click.option("--username", default=None)
@click.option("--password", default=None, help="env:VARIABLE or secrets:key (a pasted password is encrypted).")
@click.option("--from", "from_address", required=True)
@AS_OPTION
@JSON_OPTION
@friendly_errors
def add_smtp(name, host, port, security, username, password, from_address, as_email, as_json) -> None:
    """The SMTP server notification e-mails go through."""
    _add("smtp", name, {"host": host, "port": port, "security": security, "username": username, "password": password,
                        "from_address": from_address}, as_email, as_json)


@add.command("msgraph")
@click.option("--name", required=True)
@click.option("--tenant-id", required=True)
@click.option("--client-id", required=True)
@click.option("--client-secret", default="env:NEXUS360_GRAPH_CLIENT_SECRET", show_default=True)
@click.option("--every", "every_minutes", type=int, default=0, help="Minutes between syncs; 0: off.")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def add_graph(name, tenant_id, client_id, client_secret, every_minutes, as_email, as_json) -> None:
    """The Microsoft Graph directory sync."""
    _add("msgraph", name, {"tenant_id": tenant_id, "client_id": client_id, "client_secret": client_secret,
                           "sync_interval_minutes": every_minutes}, as_email, as_json)


@add.command("ai")
@click.option("--name", required=True)
@click.option("--provider", type=click.Choice(["azure", "openai"]), required=True)
@click.option("--endpoint", default=None, help="Azure: https://<resource>.openai.azure.com")
@click.option("--base-url", default=None, help="OpenAI-compatible: the endpoint.")
@click.option("--api-version", default="2024-10-21", show_default=True)
@click.option("--chat-model", required=True)
@click.option("--embedding-model", default=None)
@click.option("--api-key", default=None, help="env:VARIABLE or secrets:key (a pasted key is encrypted).")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def add_ai(name, provider, endpoint, base_url, api_version, chat_model, embedding_model, api_key, as_email,
           as_json) -> None:
    """The assistant's AI provider."""
    _add("ai_provider", name, {"provider": provider, "endpoint": endpoint, "base_url": base_url,
                               "api_version": api_version, "chat_model": chat_model,
                               "embedding_model": embedding_model, "api_key": api_key}, as_email, as_json)


@integrations.command("update")
@click.argument("name")
@click.option("--set", "changes", multiple=True, metavar="FIELD=VALUE",
              help="A setting to change, e.g. url=https://…, events=deal.won,deal.lost, port=465, secret=env:VAR.")
@click.option("--rename", default=None, help="A new name.")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def update(name: str, changes: tuple[str, ...], rename: str | None, as_email: str | None, as_json: bool) -> None:
    """Change a connector's settings (secrets not named are kept), as the page's edit form does."""
    from nexus360.integrations.connectors import flows

    principal = acting_user(as_email)
    connector = connector_named(principal, name)
    values = dict(connector.settings)
    for change in changes:
        field, equals, value = change.partition("=")
        if not equals or not field.strip():
            raise ValidationError(f"--set {change!r}: write FIELD=VALUE, e.g. url=https://example.com/hooks.")
        field = field.strip()
        values[field] = _events(value) if field == "events" else value
    changed = flows.update_connector(principal, connector_id=connector.id, values=values, settings=app_settings(),
                                     name=rename)
    show(asdict(changed), as_json, f"updated {changed.type_label} {changed.name}")


@integrations.command("test")
@click.argument("name")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def test(name: str, as_email: str | None, as_json: bool) -> None:
    """Try a connector once (logged); exit 1 if it failed."""
    from nexus360.integrations.probes import flows

    result = flows.test_connection(acting_user(as_email), name=name, settings=app_settings())
    show(asdict(result), as_json, f"{'ok' if result.ok else 'failed'}: {result.message}")
    if not result.ok:
        raise click.exceptions.Exit(1)


@integrations.command("enable")
@click.argument("name")
@click.option("--off", is_flag=True, help="Switch the connector off instead.")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def enable(name: str, off: bool, as_email: str | None, as_json: bool) -> None:
    """Switch a connector on (or --off)."""
    from nexus360.integrations.connectors import flows

    principal = acting_user(as_email)
    connector = connector_named(principal, name)
    changed = flows.set_active(principal, connector_id=connector.id, active=not off, settings=app_settings())
    show(asdict(changed), as_json, f"{changed.name} is {'on' if changed.is_active else 'off'}")


@integrations.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, required=True, help="Confirm: the connector and its run log are deleted.")
@AS_OPTION
@JSON_OPTION
@friendly_errors
def remove(name: str, yes: bool, as_email: str | None, as_json: bool) -> None:
    """Delete a connector and its run log (its queued deliveries are cancelled)."""
    from nexus360.integrations.connectors import flows

    principal = acting_user(as_email)
    connector = connector_named(principal, name)
    flows.delete_connector(principal, connector_id=connector.id)
    show({"removed": connector.name}, as_json, f"removed {connector.name}")
