"""The worker delivers webhooks: signed (verified by the official package), retried on Svix's schedule with
a clock the test moves, 410 switching the endpoint off, Retry-After honoured, one log row per attempt."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from nexus360.config import get_settings
from nexus360.db import Database, session_scope
from nexus360.integrations.models import IntegrationConfig, IntegrationLog
from nexus360.jobs.models import Job
from nexus360.worker.runner import Worker
from tests.integrations.conftest import emit


def attempts_of(endpoint: int) -> list[IntegrationLog]:
    with session_scope(Database.INTEGRATION, admin=True) as session:
        return list(session.scalars(select(IntegrationLog).where(IntegrationLog.integration_id == endpoint)
                                    .order_by(IntegrationLog.id)))


def job_of(event_id: str, endpoint: int) -> Job:
    with session_scope(Database.INTEGRATION, admin=True) as session:
        return session.scalars(select(Job).where(Job.key == f"webhook:{event_id}:{endpoint}")).one()


def is_active(endpoint: int) -> bool:
    with session_scope(Database.INTEGRATION, admin=True) as session:
        return session.get(IntegrationConfig, endpoint).is_active


def test_an_event_is_delivered_signed_and_logged(endpoint, receiver, worker) -> None:
    event_id = emit("deal.won", {"id": 42, "title": "Acme renewal", "amount": "1200.00"})

    summary = worker.run_once()

    assert summary.relayed >= 1 and summary.outcomes["delivered"] == 1
    [request] = receiver.requests
    assert request.verified, request.error
    assert request.message_id == event_id
    assert request.json["type"] == "deal.won" and request.json["data"]["id"] == 42
    [log] = attempts_of(endpoint)
    assert (log.status, log.status_code, log.attempt, log.message_id) == ("success", 200, 1, event_id)
    assert log.duration_ms is not None and log.payload["data"]["title"] == "Acme renewal"
    assert job_of(event_id, endpoint).status == "done"


def test_an_event_no_endpoint_subscribes_to_is_not_sent(endpoint, receiver, worker) -> None:
    emit("commission.approved", {"user_id": 3}, database=Database.COMPENSATION)

    worker.run_once()

    assert receiver.requests == []


def test_failures_follow_the_retry_schedule_until_it_is_used_up(endpoint, receiver, worker, clock) -> None:
    for _ in range(8):
        receiver.answer(500)
    event_id = emit()
    start = clock.now()
    steps = [timedelta(0), timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
             timedelta(hours=5), timedelta(hours=10), timedelta(hours=10)]
    elapsed = timedelta(0)
    for number, step in enumerate(steps, start=1):
        clock.set(start + elapsed + step - timedelta(seconds=1))
        if number > 1:  # one second early: nothing is due yet
            worker.run_once()
            assert len(receiver.requests) == number - 1
        elapsed += step
        clock.set(start + elapsed)
        worker.run_once()
        assert len(receiver.requests) == number

    clock.advance(days=2)
    worker.run_once()
    assert len(receiver.requests) == 8
    logs = attempts_of(endpoint)
    assert [log.attempt for log in logs] == list(range(1, 9))
    assert {log.status for log in logs} == {"failed"} and {log.status_code for log in logs} == {500}
    job = job_of(event_id, endpoint)
    assert job.status == "failed" and job.attempts == 8


def test_410_gone_switches_the_endpoint_off(endpoint, receiver, worker, clock) -> None:
    receiver.answer(410)
    first = emit()
    worker.run_once()

    assert not is_active(endpoint)
    assert job_of(first, endpoint).status == "failed"
    emit()  # later events are not routed to a switched-off endpoint
    clock.advance(hours=1)
    worker.run_once()
    assert len(receiver.requests) == 1


def test_429_with_retry_after_waits_as_asked(endpoint, receiver, worker, clock) -> None:
    receiver.answer(429, {"Retry-After": "600"})
    event_id = emit()
    worker.run_once()
    assert job_of(event_id, endpoint).status == "queued"

    clock.advance(minutes=9)  # the schedule alone would have retried after 5 s
    worker.run_once()
    assert len(receiver.requests) == 1
    clock.advance(minutes=1, seconds=1)
    worker.run_once()
    assert len(receiver.requests) == 2 and job_of(event_id, endpoint).status == "done"
    assert [log.status_code for log in attempts_of(endpoint)] == [429, 200]


def test_a_redirect_is_not_followed(endpoint, receiver, worker) -> None:
    receiver.answer(302, {"Location": "http://169.254.169.254/latest/meta-data"})
    emit()
    worker.run_once()

    [log] = attempts_of(endpoint)
    assert log.status == "failed" and "redirect" in log.error_message
    assert len(receiver.requests) == 1


def test_schedules_run_once_per_interval(clean, clock) -> None:
    from nexus360.config import get_settings
    from nexus360.worker.runner import Worker

    worker = Worker(get_settings(), clock=clock, name="schedules")
    worker.run_once()
    with session_scope(Database.INTEGRATION, admin=True) as session:
        retention = session.scalars(select(Job).where(Job.key == "schedule:retention")).one()
    assert retention.status == "queued" and retention.run_at > clock.now() + timedelta(minutes=59)

    clock.advance(minutes=30)
    assert "pruned" not in " ".join(worker.run_once().outcomes)
    clock.advance(minutes=31)
    assert any(outcome.startswith("pruned") for outcome in worker.run_once().outcomes)


def test_an_endpoint_failing_for_days_is_switched_off(endpoint, receiver, clock) -> None:
    settings = get_settings().model_copy(update={"webhook_disable_after_failures": 3, "webhook_disable_after_days": 1})
    worker = Worker(settings, clock=clock, concurrency=1, name="test-worker-days")
    for _ in range(10):
        receiver.answer(500)
    event_id = emit()
    for step in (timedelta(0), timedelta(seconds=5), timedelta(minutes=5)):
        clock.advance(seconds=step.total_seconds())
        worker.run_once()
    assert len(receiver.requests) == 3 and is_active(endpoint)  # failures in a row, but not for a day yet

    clock.advance(days=1)
    worker.run_once()

    assert len(receiver.requests) == 4 and not is_active(endpoint)
    job = job_of(event_id, endpoint)
    assert job.status == "failed" and "switched off" in job.last_error
