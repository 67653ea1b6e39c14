"""A database server that restarts under the app: the next call reconnects, nothing is lost."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from nexus360.db import Database, embedded, session_scope


def count_deals() -> int:
    with session_scope(Database.CRM) as session:
        return session.execute(text("SELECT count(*) FROM deals")).scalar_one()


def test_pooled_connections_survive_a_server_restart(seeded: Path) -> None:
    before = count_deals()  # leaves a connection in the pool
    assert embedded.stop(seeded) is True
    embedded.ensure_running(seeded)
    assert count_deals() == before  # pool_pre_ping replaced the dead connection
