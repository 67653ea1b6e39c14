"""The eight databases need not share a server: split across two, they migrate, seed and check.

Server A holds crm, compensation, forecasting and marketing (as the embedded server of the data
dir); server B holds auth, integration, notifications and chat, reached through explicit URLs.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from nexus360.config import get_settings
from nexus360.db import Database, dispose_engines, embedded, get_engine, migrate
from nexus360.db.embedded import EmbeddedServer
from nexus360.db.engine import database_name
from tests.conftest import saved_environment, use_data_dir

ON_SERVER_B = (Database.AUTH, Database.INTEGRATION, Database.NOTIFICATIONS, Database.CHAT)
ON_SERVER_A = tuple(database for database in Database if database not in ON_SERVER_B)


def database_names(server: EmbeddedServer) -> set[str]:
    """The Nexus360 databases that exist on `server`."""
    engine = create_engine(server.url("postgres"), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            prefix = get_settings().database_prefix.replace("_", r"\_")
            names = connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :like"), {"like": f"{prefix}%"}
            )
            return set(names.scalars())
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[EmbeddedServer, EmbeddedServer]]:
    """Two embedded servers: A (the data dir's) and B (by URL); the session's settings come back afterwards."""
    # Not under pytest's temp root: any other pytest run on the machine resets that root to mode 0700,
    # which shuts out the system user the embedded server runs as (when tests run as root).
    dir_a, dir_b = (Path(tempfile.mkdtemp(prefix=f"nexus360-server-{name}-")) for name in "ab")
    with saved_environment():
        try:
            server_a, server_b = embedded.ensure_running(dir_a), embedded.ensure_running(dir_b)
            use_data_dir(dir_a, **{db.value: server_b.url(database_name(db)) for db in ON_SERVER_B})
            yield server_a, server_b
        finally:
            dispose_engines()
            for path in (dir_a, dir_b):
                embedded.stop(path)
                shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def migrated_servers(servers: tuple[EmbeddedServer, EmbeddedServer]) -> tuple[EmbeddedServer, EmbeddedServer]:
    migrate.upgrade_all()
    return servers


@pytest.fixture(scope="module")
def seeded_servers(migrated_servers: tuple[EmbeddedServer, EmbeddedServer]) -> tuple[EmbeddedServer, EmbeddedServer]:
    seed = pytest.importorskip("nexus360.demo.seed", reason="the demo loader (nexus360/demo/seed.py) is not there yet")
    seed.seed_demo_data()
    return migrated_servers


def test_server_a_holds_only_its_own_databases(migrated_servers: tuple[EmbeddedServer, EmbeddedServer]) -> None:
    assert database_names(migrated_servers[0]) == {database_name(database) for database in ON_SERVER_A}


def test_server_b_holds_only_its_own_databases(migrated_servers: tuple[EmbeddedServer, EmbeddedServer]) -> None:
    assert database_names(migrated_servers[1]) == {database_name(database) for database in ON_SERVER_B}


@pytest.mark.parametrize("database", list(Database), ids=str)
def test_every_database_is_migrated_to_head(migrated_servers: tuple, database: Database) -> None:
    assert migrate.current_revision(database) == migrate.head_revision(database)


@pytest.mark.parametrize(
    ("database", "table"), [(Database.AUTH, "users"), (Database.CRM, "deals"), (Database.CHAT, "conversations")]
)
def test_demo_data_is_loaded_on_both_servers(seeded_servers: tuple, database: Database, table: str) -> None:
    with get_engine(database, admin=True).connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0


def test_demo_data_has_no_orphaned_user_references(seeded_servers: tuple) -> None:
    from nexus360.integrity import check_references

    assert check_references() == []
