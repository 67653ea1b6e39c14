"""A database as its owner sees it: its tables, their row counts, its Alembic revision."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from nexus360.db import Database, resolve_url
from nexus360.db.engine import host_label, translate_connection_errors

TABLES = text("""
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    ORDER BY c.relname
""")


def table_names(connection: Connection) -> list[str]:
    return list(connection.execute(TABLES).scalars())


def row_counts(connection: Connection) -> dict[str, int]:
    """Exact row counts of every table (partitioned tables once, with their partitions), as this transaction
    sees them. Row-level security off: an owner whose policies would hide rows gets an error, not a short count."""
    connection.execute(text("SET LOCAL row_security = off"))
    quote = connection.dialect.identifier_preparer.quote
    return {name: int(connection.execute(text(f"SELECT count(*) FROM public.{quote(name)}")).scalar_one())
            for name in table_names(connection)}


def revision(connection: Connection) -> str | None:
    if connection.execute(text("SELECT to_regclass('public.alembic_version')")).scalar() is None:
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@contextmanager
def owner_connection(database: Database, *, isolation_level: str | None = None) -> Iterator[Connection]:
    """One connection as the tables' owner (no pool: operator commands run once), in a transaction; a server
    that cannot be reached is DatabaseUnavailable naming the database and host."""
    options = {"isolation_level": isolation_level} if isolation_level else {}
    engine = create_engine(resolve_url(database, admin=True), poolclass=NullPool,
                           connect_args={"connect_timeout": 5}, **options)
    try:
        with translate_connection_errors(database, host_label(str(engine.url))), engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()
