"""Shared fixtures: a real embedded PostgreSQL (with pgvector) for the whole run.

The server lives in a temporary data directory, separate from the developer's `.nexus360/`.
Its eight databases are migrated and seeded with the demo data once; each test then works inside a
transaction that is rolled back (`db` fixture), so tests do not see each other's writes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from nexus360.config import reset_settings
from nexus360.db import Database, dispose_engines, embedded, get_engine

URL_VARIABLES = [f"NEXUS360_{database.name}_URL" for database in Database]


def use_data_dir(data_dir: Path, **urls: str) -> None:
    """Point the app at `data_dir`'s embedded server (and at explicit URLs, where given)."""
    for variable in URL_VARIABLES:
        os.environ.pop(variable, None)
    for database, url in urls.items():
        os.environ[f"NEXUS360_{database.upper()}_URL"] = url
    os.environ["NEXUS360_DATA_DIR"] = str(data_dir)
    reset_settings()
    dispose_engines()


@contextmanager
def saved_environment() -> Iterator[None]:
    """Put every NEXUS360_* variable back afterwards, with fresh settings and no pooled engines."""
    saved = {key: value for key, value in os.environ.items() if key.startswith("NEXUS360_")}
    try:
        yield
    finally:
        dispose_engines()
        for key in [key for key in os.environ if key.startswith("NEXUS360_")]:
            del os.environ[key]
        os.environ.update(saved)
        reset_settings()


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    # Not under pytest's tmp dir: pytest makes that 0700 for root, which locks out the server's
    # own system user whenever another pytest run starts beside this one.
    path = Path(tempfile.mkdtemp(prefix="nexus360-test-"))
    with saved_environment():
        use_data_dir(path)
        yield path
        dispose_engines()
        embedded.stop(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated(data_dir: Path) -> Path:
    from nexus360.db import migrate

    migrate.upgrade_all()
    return data_dir


@pytest.fixture(scope="session")
def seeded(migrated: Path) -> Path:
    from nexus360.demo import seed

    seed.seed_demo_data()
    return migrated


class TransactionalSessions:
    """Hands out one session per database, each inside a transaction rolled back at teardown."""

    def __init__(self) -> None:
        self._open: dict[tuple[Database, bool], tuple] = {}

    def __call__(self, database: Database, *, admin: bool = False) -> Session:
        """The app's role by default (row-level security applies); `admin` is the tables' owner."""
        key = (Database(database), admin)
        if key not in self._open:
            connection = get_engine(key[0], admin=admin).connect()
            transaction = connection.begin()
            session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
            self._open[key] = (connection, transaction, session)
        return self._open[key][2]

    def close(self) -> None:
        for connection, transaction, session in self._open.values():
            session.close()
            transaction.rollback()
            connection.close()
        self._open.clear()


@pytest.fixture
def db(seeded: Path) -> Iterator[TransactionalSessions]:
    """`db(Database.CRM)` gives a session whose changes vanish after the test."""
    sessions = TransactionalSessions()
    yield sessions
    sessions.close()


def savepoints(db: TransactionalSessions):
    """A session factory (importing.core.SessionFactory) whose every session is a savepoint of the test's
    rolled-back transaction: code that commits per batch behaves as in production, and nothing stays."""

    @contextmanager
    def open_session(database: Database) -> Iterator[Session]:
        session = db(database)
        with session.begin_nested():
            yield session

    return open_session
