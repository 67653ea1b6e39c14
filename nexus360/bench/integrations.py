"""`bench integrations`: every query the Integrations page runs, at 10 million run-log rows.

`--seed 10000000` first loads that many log rows (once), spread over 30 days and a dozen bench connectors
with a realistic skew (one busy webhook has 40 % of the rows, 3 % of attempts fail), generated inside
PostgreSQL in batches of a million (a bulk load like COPY, without shipping a gigabyte through Python);
the page's indexes are dropped during the load and built after it, then the table is vacuumed so the
health tiles' aggregate can run index-only. Use a data dir of its own (NEXUS360_DATA_DIR).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from nexus360.auth.schemas import ADMIN
from nexus360.bench.common import Query, acting, count_rows, run_queries, second_page, user_ids
from nexus360.common.clock import SYSTEM_CLOCK
from nexus360.config import get_settings
from nexus360.db import Database, get_engine, session_scope
from nexus360.integrations.logs import service as logs
from nexus360.integrations.logs.schemas import LogFilters
from nexus360.integrations.models import IntegrationConfig, IntegrationLog

BENCH_PREFIX = "Bench "
CONNECTORS = [("webhook", f"{BENCH_PREFIX}webhook {n:02d}", share) for n, share in
              enumerate((40, 12, 8, 6, 5, 4, 3, 2), start=1)] + [
    ("msgraph", f"{BENCH_PREFIX}directory", 4), ("smtp", f"{BENCH_PREFIX}mail", 10),
    ("ai_provider", f"{BENCH_PREFIX}AI", 5), ("webhook", f"{BENCH_PREFIX}webhook quiet", 1)]
BATCH = 1_000_000
PAGE_INDEXES = [index for index in IntegrationLog.__table__.indexes if index.name.startswith("ix_")]

GENERATE = text("""
INSERT INTO integration_logs (integration_id, event_type, status, payload, error_message, created_at, attempt,
                              status_code, duration_ms, message_id)
SELECT c.id,
       CASE WHEN c.type = 'webhook' THEN (ARRAY['deal.won','deal.created','deal.lost','lead.handed_off',
                                               'commission.approved'])[1 + (g % 5)]
            WHEN c.type = 'msgraph' THEN 'directory_sync' WHEN c.type = 'smtp' THEN 'mail_batch'
            ELSE 'test_connection' END,
       CASE WHEN random() < 0.03 THEN 'failed' ELSE 'success' END,
       jsonb_build_object('type', 'deal.won', 'data', jsonb_build_object('id', g)),
       NULL,
       :now - (random() * interval '30 days'),
       1 + (g % 3 = 0)::int,
       200,
       20 + (random() * random() * 2000)::int,
       'msg_bench_' || g
FROM generate_series(:start, :stop) AS g
JOIN bench_pick c ON c.bucket = g % 100
""")


def seed_logs(total: int, *, progress: Callable[[str], None]) -> int:
    """Load `total` bench log rows unless they are there already; returns how many the table holds."""
    with session_scope(Database.INTEGRATION, admin=True) as session:
        existing = session.execute(text("SELECT count(*) FROM integration_logs WHERE message_id LIKE 'msg_bench_%'"))
        have = existing.scalar_one()
        if have >= total:
            return count_rows(Database.INTEGRATION, "integration_logs")  # loaded (and vacuumed) before
        ids = _connectors(session)
        buckets = [connector_id for (_type, _name, share), connector_id in zip(CONNECTORS, ids, strict=True)
                   for _ in range(share)]  # 100 buckets: row g goes to the connector of bucket g % 100
        assert len(buckets) == 100
        session.execute(text("DROP TABLE IF EXISTS bench_pick"))
        values = ", ".join(f"({bucket}, {connector_id})" for bucket, connector_id in enumerate(buckets))
        session.execute(text(f"CREATE TABLE bench_pick AS SELECT v.bucket, c.id, c.type FROM "
                             f"(VALUES {values}) AS v(bucket, id) JOIN integration_configs c ON c.id = v.id"))
        for index in PAGE_INDEXES:
            session.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
    now = SYSTEM_CLOCK.now()
    for start in range(have + 1, total + 1, BATCH):
        stop = min(start + BATCH - 1, total)
        with session_scope(Database.INTEGRATION, admin=True) as session:
            session.execute(text("SET LOCAL synchronous_commit = off"))
            session.execute(text("SET LOCAL statement_timeout = 0"))  # a million rows take longer than a page
            session.execute(GENERATE, {"start": start, "stop": stop, "now": now})
        progress(f"integration_logs: {stop:,} of {total:,} bench rows")
    with session_scope(Database.INTEGRATION, admin=True) as session:
        session.execute(text("DROP TABLE IF EXISTS bench_pick"))
        for index in PAGE_INDEXES:
            progress(f"building {index.name}")
            session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            session.execute(text("SET LOCAL statement_timeout = 0"))
            session.execute(text(str(_create_sql(index))))
    vacuum()
    return count_rows(Database.INTEGRATION, "integration_logs")


def vacuum() -> None:
    """VACUUM (ANALYZE): sets the visibility map index-only scans need, and fresh statistics."""
    with get_engine(Database.INTEGRATION, admin=True).connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        autocommit.exec_driver_sql("SET statement_timeout = 0")
        autocommit.exec_driver_sql("VACUUM (ANALYZE) integration_logs")
        autocommit.exec_driver_sql("RESET statement_timeout")


def _create_sql(index) -> str:
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    return str(CreateIndex(index, if_not_exists=True).compile(dialect=postgresql.dialect()))


def _connectors(session) -> list[int]:
    ids = []
    for type_, name, _share in CONNECTORS:
        row = session.query(IntegrationConfig).filter_by(name=name).first()
        if row is None:
            row = IntegrationConfig(name=name, type=type_, config={"url": "https://bench.example/hook",
                                                                   "events": ["deal.won"]}, is_active=True)
            session.add(row)
            session.flush()
        ids.append(row.id)
    return ids


def integrations_queries(busy: int, quiet: int) -> dict[str, Query]:
    now = SYSTEM_CLOCK.now()
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    old_day = LogFilters(since=now - timedelta(days=21), until=now - timedelta(days=20))
    settings = get_settings()

    def listing(filters: LogFilters) -> Query:
        return lambda s, p: logs.list_logs(s, p, filters=filters)

    return {
        "health.tiles_24h": lambda s, p: logs.health(s, p, settings=settings),
        "log.event_types": lambda s, p: logs.list_event_types(s, p),
        "log.list.week": listing(LogFilters(since=week)),
        "log.list.week.page_2": second_page(lambda s, p, after: logs.list_logs(s, p, filters=LogFilters(since=week),
                                                                               after=after)),
        "log.list.busy_webhook": listing(LogFilters(since=week, integration_id=busy)),
        "log.list.quiet_webhook": listing(LogFilters(since=month, integration_id=quiet)),
        "log.list.failed": listing(LogFilters(since=week, status="failed")),
        "log.list.failed.busy_webhook": listing(LogFilters(since=week, status="failed", integration_id=busy)),
        "log.list.failed.quiet_webhook_month": listing(LogFilters(since=month, status="failed", integration_id=quiet)),
        "log.list.event": listing(LogFilters(since=week, event_type="commission.approved")),
        "log.list.event.failed.quiet_month": listing(LogFilters(since=month, event_type="deal.lost", status="failed",
                                                                integration_id=quiet)),
        "log.list.old_day": listing(old_day),
        "log.list.old_day.failed": listing(LogFilters(since=old_day.since, until=old_day.until, status="failed")),
        "log.detail": lambda s, p: logs.get_log(s, p, log_id=_newest_id(s)),
    }


def _newest_id(session) -> int:
    return session.execute(text("SELECT max(id) FROM integration_logs")).scalar_one()


def bench_integrations(*, runs: int = 15, only: str | None = None, seed: int | None = None,
                       progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Median and p95 (ms) of every Integrations page query (seed the bench rows first with `seed`)."""
    rows = seed_logs(seed, progress=progress) if seed else count_rows(Database.INTEGRATION, "integration_logs")
    with session_scope(Database.INTEGRATION, admin=True) as session:
        ids = {name: connector_id for connector_id, name in session.execute(text(
            "SELECT id, name FROM integration_configs WHERE name LIKE 'Bench %'"))}
    busy, quiet = ids.get(f"{BENCH_PREFIX}webhook 01", 1), ids.get(f"{BENCH_PREFIX}webhook quiet", 1)
    admin_id = user_ids(ADMIN)[0]
    figures = run_queries(integrations_queries(busy, quiet), database=Database.INTEGRATION,
                          principal=acting(admin_id, ADMIN), runs=runs, only=only)
    return {"integration_logs": rows, **figures}
