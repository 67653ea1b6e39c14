"""Every committed write moves its database's data generation, so cached reads of it go stale at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from nexus360.db import Database, data_generation, session_scope

WRITE = "UPDATE notifications SET status = status WHERE false"


def test_a_committed_write_moves_the_generation_of_its_database_only(seeded: Path) -> None:
    before = {database: data_generation(database) for database in Database}
    with session_scope(Database.NOTIFICATIONS) as session:
        session.execute(text(WRITE))
    assert data_generation(Database.NOTIFICATIONS) == before[Database.NOTIFICATIONS] + 1
    assert all(data_generation(db) == before[db] for db in Database if db is not Database.NOTIFICATIONS)


def test_reads_and_locking_reads_leave_it_alone(seeded: Path) -> None:
    before = data_generation(Database.NOTIFICATIONS)
    with session_scope(Database.NOTIFICATIONS) as session:
        session.execute(text("SELECT id FROM notifications ORDER BY id LIMIT 1 FOR UPDATE"))
    assert data_generation(Database.NOTIFICATIONS) == before


def test_a_rolled_back_write_leaves_it_alone_and_does_not_count_later(seeded: Path) -> None:
    before = data_generation(Database.NOTIFICATIONS)
    with pytest.raises(RuntimeError), session_scope(Database.NOTIFICATIONS) as session:
        session.execute(text(WRITE))
        raise RuntimeError("the form was refused")
    with session_scope(Database.NOTIFICATIONS) as session:
        session.execute(text("SELECT 1"))
    assert data_generation(Database.NOTIFICATIONS) == before
