"""Row-level security helpers for the migrations.

The app sets, per transaction, `nexus360.user_id` (the acting user) and `nexus360.permissions`
(their permission names, comma-separated); see `engine.set_actor`. Policies read them through the
two functions below. With nothing set, `nexus360_user_id()` is NULL and own-row policies match
nothing. FORCE makes the policies bind the tables' owner too (superusers still bypass them, which
only migrations and the demo loader use).
"""

from __future__ import annotations

from nexus360.db import ddl

FUNCTIONS = """
CREATE OR REPLACE FUNCTION nexus360_user_id() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('nexus360.user_id', true), '')::bigint
$$;
CREATE OR REPLACE FUNCTION nexus360_has_permission(name text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT name = ANY (string_to_array(COALESCE(current_setting('nexus360.permissions', true), ''), ','))
$$;
"""


def install_functions() -> None:
    ddl.execute(FUNCTIONS)


def enable(table: str) -> None:
    ddl.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    ddl.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def policy(table: str, name: str, command: str, *, using: str | None = None, check: str | None = None) -> None:
    """(Re)create one policy; `command` is SELECT, INSERT, UPDATE, DELETE or ALL."""
    ddl.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
    clauses = f" USING ({using})" if using else ""
    clauses += f" WITH CHECK ({check})" if check else ""
    ddl.execute(f"CREATE POLICY {name} ON {table} FOR {command} TO PUBLIC{clauses}")
