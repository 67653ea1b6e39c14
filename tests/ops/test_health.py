"""`python -m nexus360 health`: each database reachable, migrated to head, row-level security on; the worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from nexus360.cli import main
from nexus360.config import reset_settings
from nexus360.db import Database, dispose_engines, session_scope
from nexus360.ops import health

pytestmark = pytest.mark.usefixtures("seeded")


def run_health() -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["health"])
    return result.exit_code, json.loads(result.stdout)


def test_a_migrated_installation_is_healthy_and_says_so_per_database() -> None:
    code, report = run_health()
    assert code == 0, report
    assert report["ok"] is True
    assert [entry["database"] for entry in report["databases"]] == [database.value for database in Database]
    for entry in report["databases"]:
        assert entry["reachable"] and entry["migrated"] and entry["row_level_security"], entry
        assert entry["revision"] == entry["head"]


def test_a_database_that_cannot_be_reached_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXUS360_CHAT_URL", "postgresql://nobody:secret@127.0.0.1:1/nexus360_chat")
    reset_settings()
    dispose_engines()
    try:
        code, report = run_health()
    finally:
        monkeypatch.delenv("NEXUS360_CHAT_URL")
        reset_settings()
        dispose_engines()
    assert code == 1 and report["ok"] is False
    chat = next(entry for entry in report["databases"] if entry["database"] == "chat")
    assert chat["reachable"] is False and "Cannot reach the chat database at 127.0.0.1:1" in chat["problems"][0]
    assert "secret" not in json.dumps(report)
    assert all(entry["ok"] for entry in report["databases"] if entry["database"] != "chat")


def test_row_level_security_switched_off_is_found() -> None:
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        session.execute(text("ALTER TABLE notifications NO FORCE ROW LEVEL SECURITY"))
    try:
        entry = health.check_database(Database.NOTIFICATIONS)
    finally:
        with session_scope(Database.NOTIFICATIONS, admin=True) as session:
            session.execute(text("ALTER TABLE notifications FORCE ROW LEVEL SECURITY"))
    assert entry["ok"] is False and entry["row_level_security"] is False
    assert entry["problems"] == ["notifications: has policies but row-level security is not enabled and forced"]


def test_a_database_behind_its_migrations_is_found() -> None:
    with session_scope(Database.FORECASTING, admin=True) as session:
        head = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        session.execute(text("UPDATE alembic_version SET version_num = 'forecasting_0001'"))
    try:
        entry = health.check_database(Database.FORECASTING)
    finally:
        with session_scope(Database.FORECASTING, admin=True) as session:
            session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    assert entry["ok"] is False and entry["migrated"] is False
    assert "run `db upgrade`" in entry["problems"][0]


def test_the_worker_is_late_when_due_jobs_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a job queue (the worker's), a job due long ago and never run means no worker is running."""
    with session_scope(Database.INTEGRATION, admin=True) as session:
        has_queue = session.execute(text("SELECT to_regclass('public.jobs')")).scalar() is not None
    if not has_queue:
        assert health.check_worker() == {"queue": False, "ok": True, "problems": [],
                                         "note": "no job queue on this installation (no `python -m nexus360 "
                                                 "worker` yet)"}
        return
    now = datetime.now(UTC)
    with session_scope(Database.INTEGRATION, admin=True) as session:
        session.execute(text("INSERT INTO jobs (kind, key, run_at) VALUES ('health-test', 'health-test', :at)"),
                        {"at": (now - timedelta(hours=1)).replace(tzinfo=None)})
    try:
        late = health.check_worker(now=now)
    finally:
        with session_scope(Database.INTEGRATION, admin=True) as session:
            session.execute(text("DELETE FROM jobs WHERE key = 'health-test'"))
    assert late["ok"] is False and late["waiting_too_long"] >= 1
