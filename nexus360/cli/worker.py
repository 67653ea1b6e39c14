"""`worker`: run background jobs (webhook deliveries, scheduled syncs, e-mails, retention) until stopped."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

import click

from nexus360.cli.common import echo_json, friendly_errors, say
from nexus360.config import get_settings


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is due now, then exit (tests, cron).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None,
              help="Jobs run at once (default NEXUS360_WORKER_CONCURRENCY, 4).")
@click.option("--json", "as_json", is_flag=True, help="Print what --once did as JSON.")
@friendly_errors
def worker(once: bool, concurrency: int | None, as_json: bool) -> None:
    """Relay event outboxes and run due jobs; several workers may run at once (no job runs twice)."""
    from nexus360.worker.runner import Worker

    runner = Worker(get_settings(), concurrency=concurrency)
    if once:
        summary = runner.run_once().as_dict()
        if as_json:
            echo_json(summary)
        else:
            say(f"relayed {summary['relayed_events']} event(s), ran {summary['jobs_run']} job(s)")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def finish(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    say(f"worker {runner.name} started (Ctrl+C stops it)")
    runner.run_forever(stop)
    say("worker stopped")
