"""Demo notifications: the templates, and what each active user was told of in the last 120 days."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from nexus360.auth.schemas import SALES_REP
from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import Clock, CrmData, Demo, Member, insert_rows, quarter_label, rng_for, sells
from nexus360.notifications.models import Notification, NotificationTemplate

DATABASE = Database.NOTIFICATIONS
TABLES = ("notification_templates", "notifications")
Event = tuple[datetime, str, dict[str, str]]  # when, template type, placeholder values


def seed(session: Session, demo: Demo) -> str:
    """Templates, and notifications of the deals, leads, statements and forecasts the earlier steps made."""
    assert demo.crm is not None, "the crm step runs first"
    events = _notification_events(demo.clock, demo.members, demo.crm, demo.leads, demo.performance, demo.forecasts)
    _seed_notifications(session, demo.clock, demo.members, events, demo.counts)
    counts = demo.counts
    return f"notifications: {counts['notification_templates']} templates, {counts['notifications']} notifications"


def _usd(amount: float | Decimal) -> str:
    return f"${amount:,.0f}"


def _notification_events(
    clock: Clock,
    members: list[Member],
    crm: CrmData,
    leads: list[dict],
    performance: list[dict],
    forecasts: list[dict],
) -> dict[int, list[Event]]:
    """What happened in the last 120 days that each active user would have been told about."""
    since = clock.end - timedelta(days=120)
    active = [member for member in members if member.left is None]
    events: dict[int, list[Event]] = {member.id: [] for member in active}
    names = {member.id: member.name for member in members}
    managers = {member.id: member.manager_id for member in members}
    for deal in crm.deals:
        values = {"deal_title": deal["title"], "company_name": crm.company_names[deal["company_id"]],
                  "amount": _usd(deal["amount"]), "close_date": deal["close_date"].isoformat(),
                  "owner_name": names[deal["owner_id"]]}
        if deal["stage_id"] in crm.won_stage_ids and deal["updated_at"] >= since:
            owner = deal["owner_id"]
            for member in active:  # reps hear of their own wins, team managers of their team's
                if owner in (member.id, managers[owner]) or not (member.role == SALES_REP or sells(member)):
                    events[member.id].append((deal["updated_at"], "deal_won", values))
        elif crm.is_open(deal) and deal["created_at"] >= since and deal["owner_id"] in events:
            events[deal["owner_id"]].append((deal["created_at"], "deal_assigned", values))
    first_names = {member.id: member.first_name for member in members}
    for row in performance:
        if row["status"] != "pending_approval" and row["updated_at"] >= since and row["user_id"] in events:
            events[row["user_id"]].append((row["updated_at"], "commission_approved", {
                "first_name": first_names[row["user_id"]], "period": quarter_label(row["period_start"]),
                "commission": _usd(row["commission"]), "revenue": _usd(row["revenue"])}))
    for row in forecasts:
        if row["created_at"] >= since:
            values = {"period": quarter_label(row["period_start"]),
                      "forecast_type": row["forecast_type"].replace("_", " "),
                      "forecast_value": _usd(row["forecast_value"]), "confidence": f"{row['confidence_score']:.0f}"}
            for member in active:
                events[member.id].append((row["created_at"], "forecast_ready", values))
    reps = [member for member in active if member.role == SALES_REP]
    handed_over = [lead for lead in leads if lead["status"] in ("qualified", "converted")]
    handed_over = [lead for lead in handed_over if lead["updated_at"] >= since]
    for index, lead in enumerate(handed_over):
        events[reps[index % len(reps)].id].append((lead["updated_at"], "lead_assigned", {
            "lead_name": f"{lead['first_name']} {lead['last_name']}", "company_name": lead["company_name"],
            "score": str(lead["score"])}))
    return events


def _seed_notifications(
    session: Session, clock: Clock, members: list[Member], events: dict[int, list[Event]], counts: dict[str, int]
) -> None:
    rng = rng_for("notifications")
    templates = []
    for index, (name, kind, subject, content) in enumerate(data.NOTIFICATION_TEMPLATES):
        created = clock.stamp(clock.day(-400 + index), rng)
        templates.append({"name": name, "type": kind, "subject": subject, "content": content,
                          "created_at": created, "updated_at": created})
    insert_rows(session, NotificationTemplate, templates, counts, ids=False)
    by_type = {template["type"]: template for template in templates}
    rows = []
    for member in members:
        if member.left is not None:
            continue
        pool = sorted((e for e in events[member.id] if e[1] in data.NOTIFICATION_TYPES[member.role]),
                      key=lambda event: (event[0], event[1]))
        chosen = rng.sample(pool, min(len(pool), rng.randint(9, 29)))
        chosen.append((member.created_at, "welcome", {"first_name": member.first_name,
                                                       "role": member.role.replace("_", " ")}))
        for moment, kind, values in sorted(chosen, key=lambda event: event[0]):
            recent = clock.end - moment < timedelta(days=7)
            read = kind == "welcome" or rng.random() < (0.35 if recent else 0.9)
            rows.append({
                "user_id": member.id, "type": kind, "title": by_type[kind]["subject"].format(**values),
                "message": by_type[kind]["content"].format(**values), "status": "read" if read else "unread",
                "created_at": moment,
                "read_at": clock.cap(moment + timedelta(minutes=rng.randint(5, 2_880))) if read else None,
            })
    rows.sort(key=lambda row: (row["created_at"], row["user_id"]))
    insert_rows(session, Notification, rows, counts, ids=False)
