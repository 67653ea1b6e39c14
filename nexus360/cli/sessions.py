"""`bench sessions --users N`: N people at once, each in a real Streamlit session (see nexus360.bench.sessions)."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from nexus360.cli.common import echo_json, friendly_errors, say
from nexus360.cli.serve import streamlit_command, uses_embedded_server
from nexus360.config import PROJECT_ROOT, get_settings


@click.command("sessions")
@click.option("--users", default=5, show_default=True, type=click.IntRange(1, 500), help="Sessions at once.")
@click.option("--rounds", default=1, show_default=True, type=click.IntRange(1, 100),
              help="How many times each person walks every page they may open.")
@click.option("--think", default=2.0, show_default=True, type=click.FloatRange(0, 60),
              help="Mean seconds a person pauses between steps.")
@click.option("--ramp", default=10.0, show_default=True, type=click.FloatRange(0, 600),
              help="Seconds over which the sessions start.")
@click.option("--url", default=None, help="A running app to drive (default: serve one on a free port).")
@click.option("--role", "roles", multiple=True, type=click.Choice(["manager", "rep", "marketer", "admin"]),
              help="Only these demo users (repeatable; default a sales team's mix).")
@friendly_errors
def bench_sessions(users: int, rounds: int, think: float, ramp: float, url: str | None,
                   roles: tuple[str, ...]) -> None:
    """p50/p95 of each page's run with N sessions at once, errors, server memory per session (JSON)."""
    from nexus360.bench.sessions import ROLE_MIX
    from nexus360.bench.sessions import bench_sessions as run_bench

    accounts = tuple(name for name in ROLE_MIX if not roles or name in roles) or ROLE_MIX
    if url:
        echo_json(run_bench(url, users, rounds=rounds, think=think, ramp=ramp, accounts=accounts))
        return
    with served_app() as (base_url, pid):
        echo_json(run_bench(base_url, users, rounds=rounds, think=think, ramp=ramp, accounts=accounts,
                            server_pid=pid))


@contextmanager
def served_app() -> Iterator[tuple[str, int]]:
    """The app on a free port over the configured databases (migrated first); its URL and process id. An
    embedded server started for it is stopped afterwards."""
    from nexus360.db import embedded, migrate

    data_dir = get_settings().data_dir
    started_here = uses_embedded_server() and not embedded.is_running(data_dir)
    if uses_embedded_server():
        embedded.ensure_running(data_dir)
    migrate.upgrade_all()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = Path(tempfile.gettempdir()) / f"nexus360-bench-sessions-{port}.log"
    say(f"serving the app on port {port} (log: {log})")
    with log.open("w") as out:
        process = subprocess.Popen(streamlit_command(port, "127.0.0.1"), cwd=PROJECT_ROOT, env=os.environ.copy(),
                                   stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process)
        yield base_url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if started_here:  # leave a server that was already running as it was
            embedded.stop(data_dir)


def _wait_healthy(base_url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise click.ClickException("the app stopped while starting; see its log")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise click.ClickException("the app did not answer its health check in time")
