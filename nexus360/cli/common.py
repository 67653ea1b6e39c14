"""What every command shares: errors as one clear line, JSON output, and who a command acts as."""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from typing import Any

import click

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import ADMIN, Principal
from nexus360.auth.users import service as people
from nexus360.common import logs
from nexus360.common.errors import AuthorizationError, Nexus360Error, NotFoundError, ValidationError
from nexus360.db import Database, session_scope

AS_OPTION = click.option("--as", "as_email", metavar="EMAIL",
                         help="Act as this user (default: the first active admin).")
_COMMAND_LINE = Principal(id=0, email="command line")  # reads the directory to find the operator
log = logs.get_logger("nexus360.cli")


def configure_logging() -> None:
    """JSON log lines on stderr, warnings and errors only unless NEXUS360_LOG_LEVEL says otherwise (stderr also
    carries the commands' progress); NEXUS360_LOG_FILE sends them to a file instead."""
    logs.configure(level=os.environ.get("NEXUS360_LOG_LEVEL") or "WARNING")


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print our errors as one clear line and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with logs.context(action=f"cli.{command.__name__}"):
            try:
                return command(*args, **kwargs)
            except AuthorizationError as error:
                logs.event(log, "refused", level=logging.WARNING, outcome="refused", permission=error.permission)
                raise click.ClickException(str(error)) from error
            except Nexus360Error as error:
                raise click.ClickException(str(error)) from error

    return wrapper


def echo_json(value: Any, *, indent: int | None = 2) -> None:
    """Print one JSON document on stdout (dates and decimals as strings)."""
    click.echo(json.dumps(value, indent=indent, default=str))


def say(message: str) -> None:
    """Progress and notes go to stderr, so stdout stays one JSON document."""
    click.echo(message, err=True)


def acting_user(email: str | None) -> Principal:
    """Who a command acts as (`--as EMAIL`): that user, else the first active administrator."""
    with session_scope(Database.AUTH) as session:
        if email:
            try:
                principal = auth_service.get_principal_by_email(session, email.strip())
            except NotFoundError as error:
                raise ValidationError(f"--as {email}: {error}") from error
            if not principal.is_active:
                raise ValidationError(f"--as {email}: this user is deactivated.")
            return principal
        admins = people.list_people(session, _COMMAND_LINE, roles=[ADMIN], active_only=True)
        if not admins:
            raise ValidationError("There is no active administrator to import as; name a user with --as EMAIL.")
        return auth_service.get_principal(session, min(row[0] for row in admins))
