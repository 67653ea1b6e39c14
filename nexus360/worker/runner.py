"""The worker's loop: relay the outboxes, claim due jobs (FOR UPDATE SKIP LOCKED, under a lease), run them.

Several workers (processes or machines) may run at once: a claim skips rows another worker holds, and
the lease (`locked_until`) is kept alive by a heartbeat while a job runs, so only a worker that died or
hung for a whole lease loses its jobs to the others. A job whose handler raises is retried with the
webhook schedule's backoff and given up after its last step.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from nexus360.common.clock import SYSTEM_CLOCK, Clock
from nexus360.config import Settings
from nexus360.db import Database, session_scope
from nexus360.integrations.webhooks import engine as schedule
from nexus360.jobs import service as jobs
from nexus360.jobs.schemas import ClaimedJob
from nexus360.worker import handlers
from nexus360.worker.handlers import HANDLERS, Context

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
HEARTBEAT_SECONDS = 30.0
MAX_ROUNDS_ONCE = 1000  # --once stops after this many claims even if jobs keep coming due


@dataclass
class Summary:
    relayed: int = 0
    ran: int = 0
    outcomes: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"relayed_events": self.relayed, "jobs_run": self.ran, "outcomes": dict(self.outcomes),
                "errors": self.errors[:20]}


class Worker:
    def __init__(self, settings: Settings, *, clock: Clock = SYSTEM_CLOCK, name: str | None = None,
                 concurrency: int | None = None, lease: timedelta = LEASE) -> None:
        self.settings = settings
        self.clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.concurrency = max(1, concurrency or settings.worker_concurrency)
        self.lease = lease
        self.context = Context(settings=settings, clock=clock, worker=self.name)
        self._running: dict[int, ClaimedJob] = {}
        self._lock = threading.Lock()

    def run_once(self) -> Summary:
        """Relay the outboxes and run every job that is due, then return (tests, cron)."""
        summary = Summary()
        handlers.ensure_schedules(self.context)
        summary.relayed += handlers.relay_outboxes(self.context)
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(stop,), name="heartbeat", daemon=True)
        beat.start()
        try:
            with ThreadPoolExecutor(self.concurrency, thread_name_prefix="job") as pool:
                for _ in range(MAX_ROUNDS_ONCE):
                    if not self._round(pool, summary):
                        break
        finally:
            stop.set()
        return summary

    def run_forever(self, stop: threading.Event) -> None:
        """Poll until `stop` is set: relay, run what is due, wait `worker_poll_seconds` when idle."""
        handlers.ensure_schedules(self.context)
        beat = threading.Thread(target=self._heartbeat, args=(stop,), name="heartbeat", daemon=True)
        beat.start()
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="job") as pool:
            while not stop.is_set():
                summary = Summary()
                try:
                    summary.relayed = handlers.relay_outboxes(self.context)
                    busy = self._round(pool, summary)
                except Exception:  # a database restart must not end the worker: wait and go on
                    log.exception("worker round failed; retrying after the poll interval")
                    busy = False
                if summary.ran or summary.relayed:
                    log.info("worker %s: %s", self.name, summary.as_dict())
                if not busy:
                    stop.wait(self.settings.worker_poll_seconds)

    def _round(self, pool: ThreadPoolExecutor, summary: Summary) -> bool:
        with session_scope(Database.INTEGRATION) as session:
            claimed = jobs.claim(session, worker=self.name, lease=self.lease, limit=self.concurrency,
                                 kinds=list(HANDLERS), clock=self.clock)
        for outcome in pool.map(self._run, claimed):
            summary.ran += 1
            summary.outcomes[outcome] += 1
            if outcome.startswith("error"):
                summary.errors.append(outcome)
        return bool(claimed)

    def _run(self, job: ClaimedJob) -> str:
        with self._lock:
            self._running[job.id] = job
        try:
            outcome = HANDLERS[job.kind](job, self.context)
            if job.kind not in handlers.SELF_FINISHING:
                with session_scope(Database.INTEGRATION) as session:
                    jobs.complete(session, job, clock=self.clock)
            return outcome
        except Exception as error:  # the job is retried; the details go to the log, not to the summary
            log.exception("job %s (%s) failed", job.id, job.kind)
            self._after_error(job, error)
            return f"error: {job.kind}: {type(error).__name__}"
        finally:
            with self._lock:
                self._running.pop(job.id, None)

    def _after_error(self, job: ClaimedJob, error: Exception) -> None:
        message = f"{type(error).__name__}: {str(error)[:300]}"
        step = schedule.delay_before(job.attempts + 1)
        with session_scope(Database.INTEGRATION) as session:
            if step is None:
                jobs.give_up(session, job, error=message, clock=self.clock)
            else:
                jobs.retry_at(session, job, self.clock.now() + max(step, timedelta(seconds=5)), error=message,
                              clock=self.clock)

    def _heartbeat(self, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            with self._lock:
                running = list(self._running.values())
            if not running:
                continue
            try:
                with session_scope(Database.INTEGRATION) as session:
                    jobs.extend_leases(session, running, lease=self.lease, clock=self.clock)
            except Exception:
                log.exception("heartbeat failed")
