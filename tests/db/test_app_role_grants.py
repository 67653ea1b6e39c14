"""The app's database role may do what the app's code paths need and no more: it cannot rewrite or erase the audit
log, read password hashes with a plain SELECT, or change anyone's roles except through the narrow function that
checks admin.users and records the change (nexus360/db/grants.py, auth_0006).

Plain SQL through the app's own engine (its role, as `db urls` prints it): the database refuses, whatever a
service might forget."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from nexus360.db import Database, get_engine


@pytest.fixture
def app_role(seeded) -> Iterator[Connection]:
    """A connection as the app's role, in a transaction rolled back afterwards."""
    connection = get_engine(Database.AUTH).connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


def refused(connection: Connection, sql: str, **params: object) -> str:
    """The error the database answers `sql` with (the statement runs in a savepoint, undone either way)."""
    savepoint = connection.begin_nested()
    try:
        connection.execute(text(sql), params)
    except DBAPIError as error:
        savepoint.rollback()
        return str(error.orig)
    savepoint.rollback()
    raise AssertionError(f"the app's role was allowed: {sql}")


def user_id(connection: Connection, username: str) -> int:
    return connection.execute(text("SELECT user_id FROM local_credentials WHERE username = :u"),
                              {"u": username}).scalar_one()


def test_the_tests_use_a_role_that_does_not_own_the_tables(app_role) -> None:
    assert app_role.execute(text("SELECT current_user")).scalar() == "nexus360_app"


@pytest.mark.parametrize("sql", [
    "UPDATE audit_events SET result = 'allowed'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
])
def test_the_audit_log_cannot_be_changed_or_erased(app_role, sql) -> None:
    assert "permission denied" in refused(app_role, sql)


def test_the_audit_log_is_written_and_read(app_role) -> None:
    app_role.execute(text("INSERT INTO audit_events (action, result) VALUES ('test.event', 'allowed')"))
    assert app_role.execute(text("SELECT count(*) FROM audit_events WHERE action = 'test.event'")).scalar() == 1


@pytest.mark.parametrize("sql", [
    "SELECT password_hash FROM local_credentials",
    "SELECT * FROM local_credentials",
    "DELETE FROM local_credentials",
])
def test_password_hashes_are_not_readable_with_a_plain_select(app_role, sql) -> None:
    assert "permission denied" in refused(app_role, sql)


def test_a_sign_in_reads_one_hash_through_the_narrow_function(app_role) -> None:
    assert app_role.execute(text("SELECT username FROM local_credentials WHERE username = 'rep'")).scalar() == "rep"
    row = app_role.execute(text("SELECT user_id, password_hash FROM nexus360_local_credential(' REP ')")).one()
    assert row.password_hash.startswith("$2b$") and row.user_id == user_id(app_role, "rep")


@pytest.mark.parametrize("sql", [
    "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r LIMIT 1",
    "DELETE FROM user_roles",
    "UPDATE user_roles SET role_id = role_id",
    "DELETE FROM users",
    "INSERT INTO roles (name) VALUES ('overlord')",
    "UPDATE permissions SET name = name",
])
def test_roles_users_and_the_catalogue_cannot_be_rewritten_directly(app_role, sql) -> None:
    assert "permission denied" in refused(app_role, sql)


def role_ids(connection: Connection, *names: str) -> list[int]:
    return list(connection.execute(text("SELECT id FROM roles WHERE name = ANY(:n) ORDER BY id"),
                                   {"n": list(names)}).scalars())


def test_roles_change_only_through_the_function_and_only_for_an_administrator(app_role) -> None:
    rep, manager, admin = (user_id(app_role, name) for name in ("rep", "manager", "admin"))
    marketer = role_ids(app_role, "marketer")
    message = refused(app_role, "SELECT nexus360_set_user_roles(:t, CAST(:r AS INT[]), :a, 'admin')",
                      t=rep, r=marketer, a=manager)
    assert "needs the admin.users permission" in message
    assert "unknown reason" in refused(app_role, "SELECT nexus360_set_user_roles(:t, CAST(:r AS INT[]), NULL, 'oops')",
                                       t=rep, r=marketer)
    app_role.execute(text("SELECT nexus360_set_user_roles(:t, CAST(:r AS INT[]), :a, 'admin')"),
                     {"t": rep, "r": marketer, "a": admin})
    roles = app_role.execute(text("SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
                                  "WHERE ur.user_id = :t"), {"t": rep}).scalars().all()
    assert roles == ["marketer"]
    event = app_role.execute(text("SELECT user_id, action, object_id, details FROM audit_events "
                                  "ORDER BY id DESC LIMIT 1")).one()
    assert (event.user_id, event.action, event.object_id) == (admin, "admin.set_roles", str(rep))
    assert event.details == {"before": ["sales_rep"], "after": ["marketer"]}


HISTORIES = [(Database.CRM, "deal_stage_history"), (Database.MARKETING, "campaign_changes"),
             (Database.COMPENSATION, "commission_events")]


@pytest.mark.parametrize(("database", "table"), HISTORIES, ids=[table for _database, table in HISTORIES])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}", "TRUNCATE {table}"])
def test_the_other_histories_cannot_be_rewritten_or_erased(seeded, database, table, statement) -> None:
    with get_engine(database).connect() as connection, connection.begin():
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() >= 0  # read, as the app does
        assert "permission denied" in refused(connection, statement.format(table=table))


def test_deleting_a_deal_still_takes_its_history_with_it(seeded) -> None:
    """The foreign key's cascade runs as the tables' owner: the app's role deletes a deal it may delete."""
    with get_engine(Database.CRM).connect() as connection, connection.begin() as transaction:
        deal = connection.execute(text("SELECT deal_id FROM deal_stage_history LIMIT 1")).scalar_one()
        connection.execute(text("DELETE FROM deals WHERE id = :deal"), {"deal": deal})
        assert connection.execute(text("SELECT count(*) FROM deal_stage_history WHERE deal_id = :deal"),
                                  {"deal": deal}).scalar() == 0
        transaction.rollback()
