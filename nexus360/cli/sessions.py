"""`bench sessions --users N`: N people at once, each in a real Streamlit session (see nexus360.bench.sessions)."""

from __future__ import annotations

import os
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
from nexus360.common.net import free_port
from nexus360.config import PROJECT_ROOT, get_settings


@click.command("sessions")
@click.option("--users", default=5, show_default=True, type=click.IntRange(1, 500), help="Sessions at once.")
@click.option("--rounds", default=1, show_default=True, type=click.IntRange(1, 100),
              help="How many times each person walks every page they may open.")
@click.option("--think", default=2.0, show_default=True, type=click.FloatRange(0, 60),
              help="Mean seconds a person pauses between steps.")
@click.option("--ramp", default=10.0, show_default=True, type=click.FloatRange(0, 600),
              help="Seconds over which the sessions start.")
@click.option("--url", "urls", multiple=True,
              help="A running app to drive (default: serve one on a free port). Repeat it for replicas of the app: "
                   "the sessions are spread over them, each staying on one.")
@click.option("--replicas", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Without --url: serve this many app processes, each on its own port, and spread the sessions "
                   "over them as a sticky load balancer would (one Streamlit process uses one core at most).")
@click.option("--role", "roles", multiple=True, type=click.Choice(["manager", "rep", "marketer", "admin"]),
              help="Only these demo users (repeatable; default a sales team's mix).")
@friendly_errors
def bench_sessions(users: int, rounds: int, think: float, ramp: float, urls: tuple[str, ...], replicas: int,
                   roles: tuple[str, ...]) -> None:
    """p50/p95 of each page's run with N sessions at once, errors, server memory per session (JSON)."""
    from nexus360.bench.sessions import ROLE_MIX
    from nexus360.bench.sessions import bench_sessions as run_bench

    accounts = tuple(name for name in ROLE_MIX if not roles or name in roles) or ROLE_MIX
    if urls:
        echo_json(run_bench(urls, users, rounds=rounds, think=think, ramp=ramp, accounts=accounts))
        return
    with served_apps(replicas) as servers:
        echo_json(run_bench(tuple(url for url, _pid in servers), users, rounds=rounds, think=think, ramp=ramp,
                            accounts=accounts, server_pid=tuple(pid for _url, pid in servers)))


@contextmanager
def served_apps(replicas: int = 1) -> Iterator[list[tuple[str, int]]]:
    """`replicas` processes of the app, each on a free port, over the configured databases (migrated first):
    their URLs and process ids. An embedded server started for them is stopped afterwards."""
    from nexus360.db import embedded, migrate

    data_dir = get_settings().data_dir
    started_here = uses_embedded_server() and not embedded.is_running(data_dir)
    if uses_embedded_server():
        embedded.ensure_running(data_dir)
    migrate.upgrade_all()
    processes: list[subprocess.Popen] = []
    servers: list[tuple[str, int]] = []
    try:
        for _replica in range(replicas):
            port = free_port()
            log = Path(tempfile.gettempdir()) / f"nexus360-bench-sessions-{port}.log"
            say(f"serving the app on port {port} (log: {log})")
            with log.open("w") as out:
                processes.append(subprocess.Popen(
                    streamlit_command(port, "127.0.0.1"), cwd=PROJECT_ROOT, env=os.environ.copy(), stdout=out,
                    stderr=subprocess.STDOUT))
            servers.append((f"http://127.0.0.1:{port}", processes[-1].pid))
        for (base_url, _pid), process in zip(servers, processes, strict=True):
            _wait_healthy(base_url, process)
        yield servers
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
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
