"""Several workers at once deliver each event exactly once; a worker killed mid-delivery loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from nexus360.common.clock import ManualClock
from nexus360.config import PROJECT_ROOT, get_settings
from nexus360.db import Database, session_scope
from nexus360.integrations.models import IntegrationLog
from nexus360.jobs.models import Job
from nexus360.worker.runner import LEASE, Worker
from tests.integrations.conftest import emit


def test_two_worker_processes_deliver_each_event_exactly_once(endpoint, receiver) -> None:
    events = [emit("deal.won", {"id": number}) for number in range(24)]
    command = [sys.executable, "-m", "nexus360", "worker", "--once", "--concurrency", "3"]
    processes = [subprocess.Popen(command, cwd=PROJECT_ROOT, env=dict(os.environ), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for _ in range(2)]
    for process in processes:
        _out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err.decode()[-2000:]

    counts = Counter(request.message_id for request in receiver.requests)
    assert sorted(counts) == sorted(events)
    assert set(counts.values()) == {1}
    assert all(request.verified for request in receiver.requests)


def test_two_workers_in_one_process_share_the_queue_without_overlap(endpoint, receiver) -> None:
    events = [emit("deal.lost", {"id": number}) for number in range(16)]
    workers = [Worker(get_settings(), concurrency=2, name=f"w{n}") for n in range(2)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert Counter(r.message_id for r in receiver.requests) == Counter(dict.fromkeys(events, 1))


def test_a_killed_workers_delivery_is_taken_up_after_its_lease(endpoint, receiver) -> None:
    receiver.hold = threading.Event()  # the first request hangs until the test is done with it
    event_id = emit()
    process = subprocess.Popen([sys.executable, "-m", "nexus360", "worker"], cwd=PROJECT_ROOT, env=dict(os.environ),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert receiver.arrived.wait(60), "the worker never tried the delivery"
        os.kill(process.pid, signal.SIGKILL)  # mid-delivery: no chance to record anything
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    with session_scope(Database.INTEGRATION, admin=True) as session:
        held = session.scalars(select(Job).where(Job.key == f"webhook:{event_id}:{endpoint}")).one()
    assert held.status == "running" and held.locked_until is not None

    before_expiry = ManualClock(held.locked_until - timedelta(seconds=1))
    early = Worker(get_settings(), clock=before_expiry, name="early").run_once()
    assert "delivered" not in early.outcomes and len(receiver.requests) == 0
    after_expiry = ManualClock(held.locked_until + timedelta(seconds=1))
    summary = Worker(get_settings(), clock=after_expiry, name="rescuer").run_once()

    assert summary.outcomes["delivered"] == 1
    assert receiver.delivered_ids() == [event_id]  # the same webhook-id: a receiver drops the repeat
    with session_scope(Database.INTEGRATION, admin=True) as session:
        job = session.scalars(select(Job).where(Job.key == f"webhook:{event_id}:{endpoint}")).one()
        logs = list(session.scalars(select(IntegrationLog).where(IntegrationLog.integration_id == endpoint)))
    assert (job.status, job.attempts) == ("done", 2)
    assert [(log.status, log.attempt) for log in logs] == [("success", 2)]
    assert timedelta(seconds=get_settings().webhook_timeout_seconds) <= LEASE
