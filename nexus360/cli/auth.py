"""`auth sync-directory`: users and roles from Microsoft Entra ID (the integrations domain's Graph sync)."""

from __future__ import annotations

import click

from nexus360.cli.common import echo_json, friendly_errors
from nexus360.config import get_settings


@click.group()
def auth() -> None:
    """Users and roles from Microsoft Entra ID."""


@auth.command("sync-directory")
@friendly_errors
def auth_sync_directory() -> None:
    """Create, update and deactivate users from Microsoft Graph; print the run as JSON (exit 1 if it failed)."""
    from nexus360.auth.service import SYSTEM
    from nexus360.integrations import flows

    result = flows.run_directory_sync(SYSTEM, settings=get_settings())
    echo_json(result.model_dump())
    if result.status == "error":
        raise click.exceptions.Exit(1)
