"""Demo integrations: the three connectors of `data.INTEGRATIONS` and four weeks of their run log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import Clock, CrmData, Demo, insert_rows, rng_for
from nexus360.integrations.models import IntegrationConfig, IntegrationLog

DATABASE = Database.INTEGRATION
TABLES = ("integration_configs", "integration_logs")


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
    failing = set(rng.sample(range(28), 2))  # nightly directory sync; throttled twice
    for night in range(28):
        payload = {"users_seen": 0, "http_status": 429} if night in failing else {
            "users_seen": 12, "created": 0, "updated": rng.randint(0, 3), "deactivated": 0,
            "duration_ms": rng.randint(800, 4_000)}
        moment = datetime.combine(clock.day(night - 28), time(2)) + timedelta(seconds=rng.randint(0, 600))
        logs.append(_log(ids["msgraph"], "directory_sync", moment, payload, night in failing))
    failing = set(rng.sample(range(14), 2))  # notification e-mail batches every other day
    for batch in range(14):
        sent = rng.randint(5, 60)
        payload = {"sent": 0, "failed": sent} if batch in failing else {"sent": sent, "failed": 0}
        moment = clock.stamp(clock.day(2 * batch - 28), rng)
        logs.append(_log(ids["smtp"], "mail_batch", moment, payload, batch in failing))
    recent_wins = [d for d in crm.deals if d["stage_id"] in crm.won_stage_ids and d["close_date"] >= clock.day(-28)]
    for position, deal in enumerate(rng.sample(recent_wins, min(8, len(recent_wins)))):
        failed = position == 3  # one delivery timed out after its retries
        payload = {"event": "deal.won", "deal_id": deal["id"], "http_status": None if failed else 200,
                   "attempts": 3 if failed else 1}
        logs.append(_log(ids["webhook"], "deal_won", deal["updated_at"] + timedelta(seconds=2), payload, failed))
    logs.sort(key=lambda log_row: log_row["created_at"])
    insert_rows(session, IntegrationLog, logs, counts, ids=False)


def _log(integration_id: int, event: str, moment: datetime, payload: dict, failed: bool) -> dict:
    kind = {"directory_sync": "msgraph", "mail_batch": "smtp", "deal_won": "webhook"}[event]
    return {"integration_id": integration_id, "event_type": event, "status": "error" if failed else "success",
            "payload": payload, "error_message": data.INTEGRATION_ERRORS[kind] if failed else None,
            "created_at": moment}
