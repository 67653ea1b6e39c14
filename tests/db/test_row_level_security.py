"""Row-level security: through the app's own connection, per-user rows are visible only to their owner.

These tests use the app's role (what `db urls` prints), never the owner, and plain SQL, so they
prove the database refuses even a query a service forgot to filter.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.db import Database, get_engine
from nexus360.db.engine import set_actor

PROTECTED = [
    (Database.COMPENSATION, "sales_performance", "user_id"),
    (Database.NOTIFICATIONS, "notifications", "user_id"),
    (Database.CHAT, "conversations", "user_id"),
]
REP_A, REP_B = 7, 8  # two seeded sales reps


def rep(user_id: int, *permissions: str) -> Principal:
    return Principal(id=user_id, email=f"user{user_id}@example.com", permissions=frozenset(permissions))


@pytest.fixture
def app_session(seeded) -> Iterator:
    """Open a session on the app's own engine (its role), rolled back afterwards."""
    opened: list[tuple[Connection, Session]] = []

    def open_session(database: Database, actor: Principal | None) -> Session:
        connection = get_engine(database).connect()
        session = Session(bind=connection)
        set_actor(session, actor)
        opened.append((connection, session))
        return session

    yield open_session
    for connection, session in opened:
        session.rollback()
        session.close()
        connection.close()


def owners(session: Session, table: str, column: str) -> set[int]:
    return set(session.execute(text(f"SELECT DISTINCT {column} FROM {table}")).scalars())


@pytest.mark.parametrize(("database", "table", "column"), PROTECTED, ids=[t for _, t, _ in PROTECTED])
def test_rep_sees_only_their_own_rows(app_session, database, table, column) -> None:
    assert owners(app_session(database, rep(REP_A)), table, column) == {REP_A}


@pytest.mark.parametrize(("database", "table", "column"), PROTECTED, ids=[t for _, t, _ in PROTECTED])
def test_no_user_set_sees_nothing(app_session, database, table, column) -> None:
    session = app_session(database, None)
    assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0


def test_messages_are_visible_only_in_the_users_own_conversations(app_session) -> None:
    with get_engine(Database.CHAT, admin=True).connect() as owner:
        expected = owner.execute(
            text("SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                 "WHERE c.user_id = :u"),
            {"u": REP_A},
        ).scalar_one()
    visible = app_session(Database.CHAT, rep(REP_A)).execute(text("SELECT count(*) FROM messages")).scalar_one()
    assert visible == expected > 0
    assert app_session(Database.CHAT, None).execute(text("SELECT count(*) FROM messages")).scalar_one() == 0


def test_read_all_permission_sees_every_reps_performance(app_session) -> None:
    session = app_session(Database.COMPENSATION, rep(2, "commissions.read_all"))
    assert {REP_A, REP_B} <= owners(session, "sales_performance", "user_id")


def test_a_pooled_connection_forgets_the_previous_user(seeded) -> None:
    engine = get_engine(Database.NOTIFICATIONS)
    with engine.connect() as connection:
        with Session(bind=connection) as session:
            set_actor(session, rep(REP_A))
            assert session.execute(text("SELECT count(*) FROM notifications")).scalar_one() > 0
            session.commit()
        # same connection, next transaction, nobody set
        assert connection.execute(text("SELECT count(*) FROM notifications")).scalar_one() == 0
        connection.rollback()


def test_a_rep_cannot_write_performance_rows(app_session) -> None:
    session = app_session(Database.COMPENSATION, rep(REP_A))
    with pytest.raises(Exception, match="row-level security"):
        session.execute(
            text("INSERT INTO sales_performance (user_id, period_start, period_end, revenue, commission, status) "
                 "VALUES (:u, '2026-01-01', '2026-03-31', 1, 1, 'draft')"),
            {"u": REP_A},
        )


def test_the_app_role_neither_owns_the_tables_nor_bypasses_rls(app_session) -> None:
    session = app_session(Database.COMPENSATION, None)
    row = session.execute(
        text("SELECT r.rolsuper, r.rolbypassrls, t.tableowner = current_user FROM pg_roles r, pg_tables t "
             "WHERE r.rolname = current_user AND t.tablename = 'sales_performance'")
    ).one()
    assert tuple(row) == (False, False, False)


def test_db_urls_prints_the_app_role_not_the_owner(seeded) -> None:
    from nexus360.db import resolve_urls

    for url in resolve_urls().values():
        assert "://nexus360_app@" in url
