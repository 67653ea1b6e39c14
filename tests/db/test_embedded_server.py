"""The embedded PostgreSQL server: start, reuse, clean stop, recovery after a crash."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psycopg
import pytest

from nexus360.db import embedded


def plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def server_dir(tmp_path: Path):
    yield tmp_path
    embedded.stop(tmp_path)


def test_start_twice_attaches_to_the_running_server(server_dir: Path) -> None:
    first = embedded.ensure_running(server_dir)
    second = embedded.ensure_running(server_dir)
    assert first == second
    assert embedded.is_running(server_dir)


def test_stop_shuts_the_server_down_cleanly(server_dir: Path) -> None:
    embedded.ensure_running(server_dir)
    assert embedded.stop(server_dir) is True
    assert not embedded.is_running(server_dir)
    assert not (embedded.pgdata_dir(server_dir) / "postmaster.pid").exists()
    assert embedded.stop(server_dir) is False


def test_a_killed_server_is_recovered_on_next_start_with_its_data(server_dir: Path) -> None:
    server = embedded.ensure_running(server_dir)
    with psycopg.connect(plain(server.url("postgres")), autocommit=True) as connection:
        connection.execute("CREATE TABLE survivor (id int)")
        connection.execute("INSERT INTO survivor VALUES (42)")
    pid = int((server.pgdata / "postmaster.pid").read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while embedded.is_running(server_dir) and time.monotonic() < deadline:
        time.sleep(0.1)

    recovered = embedded.ensure_running(server_dir)
    with psycopg.connect(plain(recovered.url("postgres"))) as connection:
        assert connection.execute("SELECT id FROM survivor").fetchone() == (42,)


def shared_buffers(server: embedded.EmbeddedServer) -> str:
    with psycopg.connect(plain(server.url("postgres"))) as connection:
        return connection.execute("SHOW shared_buffers").fetchone()[0]


def test_a_new_server_runs_with_nexus360s_settings(server_dir: Path) -> None:
    assert shared_buffers(embedded.ensure_running(server_dir)) == embedded.SETTINGS["shared_buffers"] == "512MB"


def test_a_data_directory_made_before_the_settings_gets_them_at_its_next_start(server_dir: Path) -> None:
    embedded.ensure_running(server_dir)
    embedded.stop(server_dir)
    pgdata = embedded.pgdata_dir(server_dir)
    (pgdata / embedded.SETTINGS_FILE).unlink()
    config = pgdata / "postgresql.conf"
    config.write_text("".join(line for line in config.read_text().splitlines(keepends=True)
                              if embedded.SETTINGS_FILE not in line))
    assert shared_buffers(embedded.ensure_running(server_dir)) == "512MB"


def test_an_operators_alter_system_overrides_the_settings(server_dir: Path) -> None:
    server = embedded.ensure_running(server_dir)
    with psycopg.connect(plain(server.url("postgres")), autocommit=True) as connection:
        connection.execute("ALTER SYSTEM SET shared_buffers = '256MB'")
    embedded.stop(server_dir)
    assert shared_buffers(embedded.ensure_running(server_dir)) == "256MB"
