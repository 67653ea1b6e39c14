"""Lazy, pooled engines (one per database and process) and `session_scope()`.

No engine exists at import time. URLs come from settings; an unset URL points at the embedded
server, which is started on first use. `session_scope()` is the only place that commits.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import psycopg
from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from nexus360.common import logs
from nexus360.common.errors import DatabaseTimeout, DatabaseUnavailable
from nexus360.config import get_settings
from nexus360.db import embedded
from nexus360.db.base import Database

log = logs.get_logger(__name__)
_engines: dict[tuple[Database, bool], Engine] = {}
_lock = threading.Lock()

# How many committed transactions of this process changed each database: cached reads carry the number in
# their key (nexus360.ui.session.cached), so a write makes every cached read of its database miss at once,
# whoever wrote and through whichever code path. Other processes' writes are seen when the cache expires.
_generations: dict[Database, int] = dict.fromkeys(Database, 0)
_WROTE = "nexus360_wrote"
# A write is a statement that starts INSERT, UPDATE, …, a CTE that ends in one, or a call of one of the database's
# narrow functions that write (named nexus360_set_…, as auth_0006's nexus360_set_user_roles).
_WRITE = re.compile(r"^\s*(?:INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY)\b|\)\s*(?:INSERT|UPDATE|DELETE)\b"
                    r"|^\s*SELECT\s+nexus360_set_\w*\(", re.I)


def data_generation(database: Database) -> int:
    """A number that changes whenever this process commits a change to `database`."""
    return _generations[Database(database)]


def _note_write(conn, _cursor, statement: str, *_args) -> None:
    if _WRITE.search(statement):
        conn.info[_WROTE] = True


def database_name(database: Database) -> str:
    return f"{get_settings().database_prefix}{Database(database).value}"


def resolve_url(database: Database, *, admin: bool = False) -> str:
    """The SQLAlchemy URL for `database`: the app's own, or (admin) the owner's for migrations."""
    database = Database(database)
    settings = get_settings()
    configured = settings.url_for(database.value, admin=admin)
    if configured:
        return _with_driver(configured)
    server = embedded.ensure_running(settings.data_dir)
    user = embedded.SUPERUSER if admin else settings.app_role
    return server.url(database_name(database), user=user)


def resolve_urls() -> dict[str, str]:
    """What the app itself connects with (never the owner's URL), with passwords hidden."""
    return {database.value: _hide_password(resolve_url(database)) for database in Database}


def _hide_password(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


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


def get_engine(database: Database, *, admin: bool = False) -> Engine:
    key = (Database(database), admin)
    engine = _engines.get(key)
    if engine is not None:
        return engine
    with _lock:
        if key not in _engines:
            _engines[key] = _create_engine(key[0], resolve_url(key[0], admin=admin))
        return _engines[key]


def _create_engine(database: Database, url: str) -> Engine:
    settings = get_settings()
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_recycle=1800,
        hide_parameters=True,  # error messages (and so the logs) never carry the values a statement was sent
        connect_args={
            "connect_timeout": 5,
            "application_name": f"nexus360-{database.value}",
            "options": f"-c statement_timeout={settings.statement_timeout_ms}",
            # No server-side prepared statements: PgBouncer in transaction mode (DESIGN.md) cannot
            # carry them between connections, and their generic plans ignore filter values (measured:
            # the industry-filtered dashboard went from 170 ms to 560+ ms once psycopg prepared it).
            "prepare_threshold": None,
        },
    )
    event.listen(engine, "before_cursor_execute", _note_write)
    return engine


def dispose_engines() -> None:
    """Close every pool (tests and the CLI switch servers; forked processes must not share)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(database: Database, *, actor: Actor | None = None, admin: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error.

    `actor` is the acting user; it is set for this transaction only (`set_config(..., true)`), and
    the row-level security policies read it, so a pooled connection never carries it over.
    `admin` connects as the tables' owner: for migrations, the demo loader and `check` only.
    """
    engine = get_engine(database, admin=admin)
    session = Session(bind=engine, expire_on_commit=False)
    try:
        with translate_connection_errors(database, host_label(str(engine.url))):
            set_actor(session, actor)
            session.connection().info.pop(_WROTE, None)  # left by a transaction that was rolled back
            yield session
            session.flush()
            wrote = session.connection().info.pop(_WROTE, False)
            session.commit()
        if wrote:
            _generations[Database(database)] += 1
            logs.event(log, "write", database=Database(database).value, user_id=getattr(actor, "id", None))
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Actor(Protocol):
    """Who acts in a transaction: any object with an id and a set of permission names."""

    id: int
    permissions: frozenset[str]


def set_actor(session: Session, actor: Actor | None) -> None:
    """Tell the row-level security policies who acts, for the current transaction only."""
    session.execute(
        text("SELECT set_config('nexus360.user_id', :uid, true), set_config('nexus360.permissions', :perms, true)"),
        {
            "uid": "" if actor is None else str(int(actor.id)),
            "perms": "" if actor is None else ",".join(sorted(actor.permissions)),
        },
    )


@contextmanager
def translate_connection_errors(database: Database, host: str) -> Iterator[None]:
    """Turn "cannot connect" into one clear message naming the database and host, and a statement cancelled
    by the server's time limit (or no pooled connection free in time) into DatabaseTimeout."""
    try:
        yield
    except exc.TimeoutError as error:  # the pool had no connection to give within pool_timeout
        raise DatabaseTimeout(Database(database).value, host, "no free connection in the pool") from error
    except exc.OperationalError as error:
        if isinstance(error.orig, psycopg.errors.QueryCanceled):
            raise DatabaseTimeout(Database(database).value, host, "statement timeout") from error
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

