"""Errors that services raise and pages/CLI turn into clear messages."""

from __future__ import annotations

# What people call each database's data, for messages on the page ("The marketing data is unavailable ...").
DATA_LABELS = {
    "auth": "sign-in and user", "integration": "integrations", "notifications": "notifications", "crm": "CRM",
    "chat": "assistant", "compensation": "commissions", "forecasting": "forecasts", "marketing": "marketing",
}


def data_label(database: str | None) -> str:
    """'The CRM data', 'The marketing data', or 'The data' when no database is known."""
    label = DATA_LABELS.get(str(database or ""), "")
    return f"The {label} data" if label else "The data"


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
    """A database that cannot be reached. `str()` is for the operator (it names the host, as the command line
    prints it); `user_message` is what a page shows, with no host, socket path or server message."""

    def __init__(self, database: str, host: str, detail: str = "") -> None:
        self.database = database
        self.host = host
        self.detail = detail
        message = f"Cannot reach the {database} database at {host}."
        if detail:
            message += f" ({detail})"
        super().__init__(message)

    @property
    def user_message(self) -> str:
        return f"{data_label(self.database)} is unavailable right now; try again in a minute."


class DatabaseTimeout(DatabaseUnavailable):
    """A statement that ran past the server's time limit (statement_timeout) and was cancelled."""

    def __init__(self, database: str, host: str, detail: str = "") -> None:
        super().__init__(database, host, detail)
        self.args = (f"The {database} database at {host} took too long to answer and the query was cancelled.",)

    @property
    def user_message(self) -> str:
        return f"{data_label(self.database)} took too long to load; try again in a minute, or narrow the filters."


def unexpected_message(database: str | None = None) -> str:
    """The sentence a page shows for an error nobody planned for (its details go to the log)."""
    label = DATA_LABELS.get(str(database or ""))
    if label:
        return f"Something went wrong with the {label} data; try again in a minute."
    return "Something went wrong on this page; try again in a minute."
