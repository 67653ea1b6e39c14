"""Create the databases (where we may) and run each one's Alembic history to head."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from nexus360.config import PROJECT_ROOT
from nexus360.db import grants
from nexus360.db.base import Database
from nexus360.db.engine import host_label, resolve_url, translate_connection_errors

MIGRATIONS_DIR = PROJECT_ROOT / "db"


def alembic_config(database: Database) -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions" / Database(database).value))
    return config


def _admin_engine(url: str, **options):
    return create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5}, **options)


def ensure_database_exists(database: Database) -> bool:
    """Create the database on its server if it is missing. Returns True when it was created."""
    url = make_url(resolve_url(database, admin=True))
    maintenance = url.set(database="postgres").render_as_string(hide_password=False)
    engine = _admin_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        with translate_connection_errors(database, host_label(str(engine.url))), engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).scalar()
            if exists:
                return False
            connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
            return True
    finally:
        engine.dispose()


def upgrade(database: Database) -> None:
    """Bring one database to the newest revision (a no-op when it is already there)."""
    database = Database(database)
    engine = _admin_engine(resolve_url(database, admin=True))
    try:
        with translate_connection_errors(database, host_label(str(engine.url))), engine.begin() as connection:
            config = alembic_config(database)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def current_revision(database: Database) -> str | None:
    engine = _admin_engine(resolve_url(database, admin=True))
    try:
        with translate_connection_errors(database, host_label(str(engine.url))), engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision(database: Database) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database)).get_current_head()


def grant_app_access(database: Database) -> None:
    """Let the app's role use the tables without owning them (so row-level security binds it), and no more
    than its code needs (`nexus360.db.grants`).

    On the embedded server the role is created here; on a managed server an administrator creates
    it beforehand (README). Nothing to do when the app connects as the owner itself.
    """
    app_user = make_url(resolve_url(database)).username
    admin_url = resolve_url(database, admin=True)
    if not app_user or app_user == make_url(admin_url).username:
        return
    engine = _admin_engine(admin_url)
    try:
        with translate_connection_errors(database, host_label(str(engine.url))), engine.begin() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": app_user})
            if not exists.scalar():
                connection.exec_driver_sql(f'CREATE ROLE "{app_user}" LOGIN NOSUPERUSER NOBYPASSRLS')
            for statement in grants.statements(database, app_user):
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def upgrade_all() -> list[str]:
    """Create missing databases, migrate all eight and grant the app's role its access."""
    created = [database.value for database in Database if ensure_database_exists(database)]
    for database in Database:
        upgrade(database)
        grant_app_access(database)
    return created
