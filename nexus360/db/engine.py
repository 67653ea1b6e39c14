"""Lazy, pooled engines (one per database and process) and `session_scope()`.

No engine exists at import time. URLs come from settings; an unset URL points at the embedded
server, which is started on first use. `session_scope()` is the only place that commits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from nexus360.config import get_settings
from nexus360.db import embedded
from nexus360.db.base import Database
from nexus360.errors import DatabaseUnavailable

_engines: dict[Database, Engine] = {}
_lock = threading.Lock()


def database_name(database: Database) -> str:
    return f"{get_settings().database_prefix}{Database(database).value}"


def resolve_url(database: Database) -> str:
    """The SQLAlchemy URL the app connects to for `database`."""
    database = Database(database)
    settings = get_settings()
    configured = settings.url_for(database.value)
    if configured:
        return _with_driver(configured)
    server = embedded.ensure_running(settings.data_dir)
    return server.url(database_name(database))


def resolve_urls() -> dict[str, str]:
    return {database.value: resolve_url(database) for database in Database}


def _with_driver(url: str) -> str:
    """Accept plain postgres:// URLs too; the app always talks through psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def host_label(url: str) -> str:
    parsed = make_url(url)
    socket_dir = parsed.query.get("host")
    if parsed.host:
        return f"{parsed.host}:{parsed.port or 5432}"
    if socket_dir:
        return f"socket {socket_dir}"
    return "localhost"


def get_engine(database: Database) -> Engine:
    database = Database(database)
    engine = _engines.get(database)
    if engine is not None:
        return engine
    with _lock:
        if database not in _engines:
            _engines[database] = _create_engine(database, resolve_url(database))
        return _engines[database]


def _create_engine(database: Database, url: str) -> Engine:
    settings = get_settings()
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": 5,
            "application_name": f"nexus360-{database.value}",
            "options": f"-c statement_timeout={settings.statement_timeout_ms}",
        },
    )
    return engine


def dispose_engines() -> None:
    """Close every pool (tests and the CLI switch servers; forked processes must not share)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(database: Database, *, user_id: int | None = None) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error.

    `user_id` is the acting user; it is set for the transaction (`set_config(..., true)`), which
    row-level security policies read, so a pooled connection never carries it over.
    """
    engine = get_engine(database)
    session = Session(bind=engine, expire_on_commit=False)
    try:
        with translate_connection_errors(database, host_label(str(engine.url))):
            set_acting_user(session, user_id)
            yield session
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def set_acting_user(session: Session, user_id: int | None) -> None:
    session.execute(
        text("SELECT set_config('nexus360.user_id', :uid, true)"),
        {"uid": "" if user_id is None else str(int(user_id))},
    )


@contextmanager
def translate_connection_errors(database: Database, host: str) -> Iterator[None]:
    """Turn "cannot connect" into one clear message naming the database and host."""
    try:
        yield
    except exc.OperationalError as error:
        if not _is_connection_error(error):
            raise
        detail = str(error.orig).strip().splitlines()[0] if error.orig else ""
        raise DatabaseUnavailable(Database(database).value, host, detail) from error


def _is_connection_error(error: exc.OperationalError) -> bool:
    if error.connection_invalidated:
        return True
    message = str(error.orig or error).lower()
    markers = ("connection", "could not connect", "server closed", "timeout expired", "does not exist")
    return any(marker in message for marker in markers)

