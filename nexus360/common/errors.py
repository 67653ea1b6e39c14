"""Errors that services raise and pages/CLI turn into clear messages."""

from __future__ import annotations


class Nexus360Error(Exception):
    """Base class: the message is meant for the person using the app."""


class AuthorizationError(Nexus360Error):
    def __init__(self, permission: str, *, user_email: str | None = None) -> None:
        self.permission = permission
        who = user_email or "You"
        super().__init__(f"{who} do not have the '{permission}' permission needed for this.")


class ValidationError(Nexus360Error):
    """Input that breaks a rule; nothing was changed."""


class NotFoundError(Nexus360Error):
    pass


class DatabaseUnavailable(Nexus360Error):
    def __init__(self, database: str, host: str, detail: str = "") -> None:
        self.database = database
        self.host = host
        message = f"Cannot reach the {database} database at {host}."
        if detail:
            message += f" ({detail})"
        super().__init__(message)
