"""The harness every `bench` command uses: time a query through its service and as the raw SQL it sent.

For each query: run the service `runs` times (median and p95 in ms, end to end through SQLAlchemy
and the app's role with row-level security context), record the SQL statements that one call sent,
and run exactly those statements straight on the DBAPI connection the same number of times. The gap
between the two is the app's own overhead. A query that needs sessions on several databases (the ROI
report reads marketing and CRM) is wrapped in `Timed`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text

from nexus360.auth.schemas import DEFAULT_GRANTS, Principal
from nexus360.db import Database, get_engine, session_scope

Query = Callable[[Any, Principal], Any]


@dataclass(frozen=True)
class Timed:
    """A query run as `run(session, ..., principal)` with one session per database, in order.

    `principal` overrides the query set's acting user (e.g. a rep's own commission history)."""

    databases: tuple[Database, ...]
    run: Callable[..., Any]
    principal: Principal | None = None


def second_page(fetch: Callable[[Any, Principal, tuple | None], Any]) -> Query:
    state: dict[str, tuple | None] = {}

    def run(session, principal):
        if "after" not in state:
            state["after"] = fetch(session, principal, None).next_after
        return fetch(session, principal, state["after"])

    return run


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 1), "p95": round(p95, 1)}


def _time_service(timed: Timed, principal: Principal, runs: int) -> tuple[list[float], list[tuple]]:
    """Samples (ms) of `runs` calls after one warm-up call, and the (database, SQL, parameters) it sent."""
    engines = {database: get_engine(database) for database in timed.databases}
    captured: list[tuple] = []

    def capture_for(database: Database):
        def capture(_conn, _cursor, statement, parameters, _context, _many):
            captured.append((database, statement, parameters))

        return capture

    listeners = {database: capture_for(database) for database in engines}
    samples = []
    # The first run only warms caches; the last one records the SQL (by then a second-page query has its key).
    for index in range(runs + 1):
        if index == runs:
            for database, engine in engines.items():
                event.listen(engine, "before_cursor_execute", listeners[database])
        started = time.perf_counter()
        with ExitStack() as stack:
            sessions = [stack.enter_context(session_scope(database, actor=principal)) for database in engines]
            timed.run(*sessions, principal)
        elapsed = (time.perf_counter() - started) * 1000
        if index == runs:
            for database, engine in engines.items():
                event.remove(engine, "before_cursor_execute", listeners[database])
        if index:
            samples.append(elapsed)
    return samples, [c for c in captured if "set_config" not in c[1]]


def _time_sql(statements: list[tuple], runs: int) -> list[float]:
    """Samples (ms) of the recorded statements run straight on one DBAPI connection per database."""
    raws = {database: get_engine(database).raw_connection() for database in dict.fromkeys(s[0] for s in statements)}
    try:
        cursors = {database: raw.cursor() for database, raw in raws.items()}
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            for database, statement, parameters in statements:
                cursors[database].execute(statement, parameters)
                cursors[database].fetchall()
            samples.append((time.perf_counter() - started) * 1000)
            for raw in raws.values():
                raw.rollback()
        return samples
    finally:
        for raw in raws.values():
            raw.close()


def run_queries(
    queries: Mapping[str, Query | Timed], *, database: Database, principal: Principal, runs: int,
    only: str | None = None,
) -> dict[str, Any]:
    """Time each query (plain ones run on `database`); figures per query plus the slowest p95 and those > 300 ms."""
    results: dict[str, Any] = {}
    for name, query in queries.items():
        if only and only not in name:
            continue
        timed = query if isinstance(query, Timed) else Timed((database,), query)
        service_ms, statements = _time_service(timed, timed.principal or principal, runs)
        results[name] = {
            "service_ms": _percentiles(service_ms),
            "sql_ms": _percentiles(_time_sql(statements, runs)),
            "statements": len(statements),
        }
    slowest = max(results.values(), key=lambda r: r["service_ms"]["p95"], default=None)
    return {
        "runs": runs,
        "queries": results,
        "slowest_p95_ms": slowest["service_ms"]["p95"] if slowest else None,
        "over_300ms_p95": sorted(n for n, r in results.items() if r["service_ms"]["p95"] > 300),
    }


def user_ids(*roles: str) -> list[int]:
    """Active users holding any of `roles`, in the roles' order, then by id."""
    with session_scope(Database.AUTH, admin=True) as auth:
        rows = auth.execute(
            text(
                "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id "
                "WHERE r.name = ANY(:roles) AND u.is_active ORDER BY array_position(:roles, r.name::text), u.id"
            ),
            {"roles": list(roles)},
        )
        return list(dict.fromkeys(row[0] for row in rows))


def acting(user_id: int, role: str) -> Principal:
    """A principal with the role's default grants, as the page would have it."""
    return Principal(
        id=user_id, email="bench@nexus360", roles=(role,), permissions=frozenset(DEFAULT_GRANTS[role])
    )


def count_rows(database: Database, table: str) -> int:
    with session_scope(database, admin=True) as session:
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
