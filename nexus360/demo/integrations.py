"""Demo integrations: the three connectors of `data.INTEGRATIONS`, four weeks of their run log (one row per
attempt, with status code and duration), a busy last day, and the health state those runs leave behind."""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import Clock, CrmData, Demo, insert_rows, rng_for
from nexus360.integrations.logs.schemas import DURATION_BOUNDS_MS
from nexus360.integrations.models import IntegrationConfig, IntegrationLog, IntegrationLogHour, IntegrationState

DATABASE = Database.INTEGRATION
TABLES = ("integration_states", "integration_log_hours", "integration_configs", "integration_logs")


def seed(session: Session, demo: Demo) -> str:
    """Connector configs and their log: nightly directory syncs, e-mail batches, webhook deliveries."""
    assert demo.crm is not None, "the crm step runs first"
    _seed_integration(session, demo.clock, demo.crm, demo.counts)
    counts = demo.counts
    return f"integration: {counts['integration_configs']} configs, {counts['integration_logs']} log entries"


def _seed_integration(session: Session, clock: Clock, crm: CrmData, counts: dict[str, int]) -> None:
    rng = rng_for("integration")
    configs = []
    for index, (name, kind, active, config) in enumerate(data.INTEGRATIONS):
        created = clock.stamp(clock.day(-300 + 20 * index), rng)
        configs.append({"name": name, "type": kind, "config": config, "is_active": active, "created_at": created,
                        "updated_at": max(created, clock.stamp(clock.day(-rng.randint(30, 60)), rng))})
    ids = dict(zip((config["type"] for config in configs), insert_rows(session, IntegrationConfig, configs, counts),
                   strict=True))
    logs = []
    failing = set(rng.sample(range(27), 2))  # nightly directory sync; throttled twice
    for night in range(28):
        moment = datetime.combine(clock.day(night - 28), time(2)) + timedelta(seconds=rng.randint(0, 600))
        duration = rng.randint(800, 4_000)
        payload = {"users_seen": 0, "http_status": 429} if night in failing else {
            "users_seen": 12, "created": 0, "updated": rng.randint(0, 3), "deactivated": 0, "unchanged": 9,
            "mode": "changes" if night % 7 else "full", "duration_ms": duration}
        logs.append(_log(ids["msgraph"], "directory_sync", moment, payload, night in failing, duration=duration))
    for batch in range(14):  # notification e-mail batches every other day, the last day every six hours
        sent = rng.randint(5, 60)
        failed = batch in (4, 9)
        payload = {"sent": 0, "failed": sent} if failed else {"sent": sent, "failed": 0}
        logs.append(_log(ids["smtp"], "mail_batch", clock.stamp(clock.day(2 * batch - 28), rng), payload, failed,
                         duration=rng.randint(300, 2_500)))
    for hour in (3, 9, 15, 21):
        failed = hour == 21  # the last batch of the day failed: the tile shows degraded
        logs.append(_log(ids["smtp"], "mail_batch", datetime.combine(clock.day(-1), time(hour)),
                         {"sent": 0 if failed else 12, "failed": 12 if failed else 0}, failed,
                         duration=rng.randint(300, 2_500)))
    recent_wins = [d for d in crm.deals if d["stage_id"] in crm.won_stage_ids and d["close_date"] >= clock.day(-28)]
    for position, deal in enumerate(rng.sample(recent_wins, min(8, len(recent_wins)))):
        logs += _delivery(ids["webhook"], deal["id"], deal["updated_at"] + timedelta(seconds=2), rng,
                          first_fails=position == 3)
    for hour in range(24):  # a busy last day of deliveries, one retried after a 503
        moment = datetime.combine(clock.day(-1), time(hour)) + timedelta(minutes=rng.randint(0, 50))
        logs += _delivery(ids["webhook"], 900_000 + hour, moment, rng, first_fails=hour == 13)
    logs.sort(key=lambda log_row: log_row["created_at"])
    insert_rows(session, IntegrationLog, logs, counts, ids=False)
    insert_rows(session, IntegrationState, _states(logs), counts, ids=False)
    insert_rows(session, IntegrationLogHour, _hours(logs), counts, ids=False)


def _delivery(endpoint: int, deal_id: int, moment: datetime, rng, *, first_fails: bool) -> list[dict]:
    """One deal.won delivery: a 200, or a 503 answered by a retry five seconds later."""
    message_id = f"msg_demo{deal_id:012d}"
    payload = {"type": "deal.won", "timestamp": moment.isoformat(timespec="seconds") + "Z",
               "data": {"id": deal_id}}
    rows = []
    if first_fails:
        rows.append(_log(endpoint, "deal.won", moment, payload, True, duration=rng.randint(2_000, 9_000),
                         status_code=503, attempt=1, message_id=message_id))
        moment += timedelta(seconds=5)
    rows.append(_log(endpoint, "deal.won", moment, payload, False, duration=rng.randint(60, 600), status_code=200,
                     attempt=len(rows) + 1, message_id=message_id))
    return rows


def _log(integration_id: int, event: str, moment: datetime, payload: dict, failed: bool, *, duration: int,
         status_code: int | None = None, attempt: int | None = None, message_id: str | None = None) -> dict:
    kind = {"directory_sync": "msgraph", "mail_batch": "smtp", "deal.won": "webhook"}[event]
    error = (f"Answered {status_code}." if status_code else data.INTEGRATION_ERRORS[kind]) if failed else None
    return {"integration_id": integration_id, "event_type": event, "status": "failed" if failed else "success",
            "payload": payload, "error_message": error, "created_at": moment, "attempt": attempt,
            "status_code": status_code, "duration_ms": duration, "message_id": message_id,
            "response_excerpt": '{"ok": true}' if status_code == 200 else None}


def _hours(logs: list[dict]) -> list[dict]:
    """The hourly counts recording these runs would have left (what the health tiles read)."""
    hours: dict[tuple[int, datetime], dict] = {}
    for row in logs:
        hour = row["created_at"].replace(minute=0, second=0, microsecond=0)
        entry = hours.setdefault((row["integration_id"], hour), {
            "integration_id": row["integration_id"], "hour": hour, "runs": 0, "ok": 0,
            "durations": [0] * (len(DURATION_BOUNDS_MS) + 1)})
        entry["runs"] += 1
        entry["ok"] += row["status"] != "failed"
        if row["duration_ms"] is not None:
            entry["durations"][bisect_left(DURATION_BOUNDS_MS, row["duration_ms"])] += 1
    return list(hours.values())


def _states(logs: list[dict]) -> list[dict]:
    """What recording these runs one by one would have left in integration_states."""
    states: dict[int, dict] = {}
    for row in logs:  # oldest first
        state = states.setdefault(row["integration_id"], {
            "integration_id": row["integration_id"], "consecutive_failures": 0, "streak_started_at": None,
            "last_run_at": None, "last_success_at": None, "last_failure_at": None})
        state["last_run_at"] = row["created_at"]
        if row["status"] == "failed":
            state["consecutive_failures"] += 1
            state["streak_started_at"] = state["streak_started_at"] or row["created_at"]
            state["last_failure_at"] = row["created_at"]
        else:
            state.update(consecutive_failures=0, streak_started_at=None, last_success_at=row["created_at"])
    return [{**state, "updated_at": state["last_run_at"]} for state in states.values()]  # fixed: reloads compare
