"""`serve`: prepare the databases and run the Streamlit app (what `make run` calls)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

import click

from nexus360.cli.common import friendly_errors, say
from nexus360.config import PROJECT_ROOT, get_settings
from nexus360.db import Database


def uses_embedded_server() -> bool:
    settings = get_settings()
    return any(settings.url_for(database.value) is None for database in Database)


@click.command("serve")
@click.option("--port", default=8501, show_default=True, envvar="STREAMLIT_SERVER_PORT", type=click.IntRange(1, 65535),
              help="Port of the web app (also STREAMLIT_SERVER_PORT; `make run PORT=8600`).")
@click.option("--address", default="127.0.0.1", show_default=True, envvar="STREAMLIT_SERVER_ADDRESS",
              help="Address to listen on (also STREAMLIT_SERVER_ADDRESS); 0.0.0.0 serves every interface.")
@click.option("--seed/--no-seed", default=True, show_default=True, help="Load demo data into empty databases.")
@click.option("--worker/--no-worker", default=True, show_default=True,
              help="Start a background worker beside the app (webhooks, syncs, e-mails, retention).")
@friendly_errors
def serve(port: int, address: str, seed: bool, worker: bool) -> None:
    """Prepare the databases and run the app; stop the embedded server when the app stops."""
    from nexus360.db import embedded, migrate
    from nexus360.demo import seed as demo_seed_module

    embedded_in_use = uses_embedded_server()
    if embedded_in_use:
        say(f"starting embedded PostgreSQL in {get_settings().data_dir}")
        embedded.ensure_running(get_settings().data_dir)
    migrate.upgrade_all()
    if seed and not demo_seed_module.is_seeded():
        say("loading demo data (first run only)…")
        demo_seed_module.seed_demo_data(progress=say)
    background = _start_worker() if worker else None
    try:
        sys.exit(_run_streamlit(port, address))
    finally:
        if background is not None:
            background.terminate()
            try:
                background.wait(20)
            except subprocess.TimeoutExpired:
                background.kill()
            say("worker stopped")
        if embedded_in_use:
            embedded.stop(get_settings().data_dir)
            say("embedded PostgreSQL stopped")


SERVER_SCRIPT = PROJECT_ROOT / "app.py"  # Home.py with the app's routes and middleware (nexus360/ui/server.py)


def streamlit_command(port: int, address: str) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(SERVER_SCRIPT),
        "--server.port", str(port), "--server.address", address, "--server.headless", "true",
    ]


def _start_worker() -> subprocess.Popen:
    """`python -m nexus360 worker` beside the app; more can run elsewhere (they share the queue safely)."""
    say("starting the background worker")
    return subprocess.Popen([sys.executable, "-m", "nexus360", "worker"], cwd=PROJECT_ROOT, env=os.environ.copy())


def _run_streamlit(port: int, address: str) -> int:
    command = streamlit_command(port, address)
    host = "localhost" if address in ("127.0.0.1", "localhost", "0.0.0.0") else address
    say(f"Nexus360 is at http://{host}:{port}  (Ctrl+C stops it)")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=os.environ.copy())

    def forward(signum: int, _frame: Any) -> None:
        process.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    return process.wait()
