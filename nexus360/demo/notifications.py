"""Demo notifications: one template per event type (the catalogue's defaults), and what each active user was
told of in the last 120 days, rendered with those templates, each with its deep link and why they got it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from nexus360.auth.schemas import MARKETER
from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import Clock, CrmData, Demo, Member, insert_rows, quarter_label, rng_for
from nexus360.notifications.events.schemas import CATALOG, link_for
from nexus360.notifications.models import Notification, NotificationTemplate
from nexus360.notifications.templates import engine

DATABASE = Database.NOTIFICATIONS
TABLES = ("notification_templates", "notifications", "notification_deliveries", "notification_settings",
          "notification_preferences")
Event = tuple[datetime, str, dict, str | None]  # when, event type, its data, why (None: the type's reason)


def seed(session: Session, demo: Demo) -> str:
    """Templates, and notifications of the deals, leads and statements the earlier steps made."""
    assert demo.crm is not None, "the crm step runs first"
    events = _notification_events(demo.clock, demo.members, demo.crm, demo.leads, demo.performance)
    _seed_notifications(session, demo.clock, demo.members, events, demo.counts)
    counts = demo.counts
    for table in TABLES[2:]:  # emptied by a reset, filled later by people and the sender
        counts.setdefault(table, 0)
    return f"notifications: {counts['notification_templates']} templates, {counts['notifications']} notifications"


def _usd(amount: float | Decimal | None) -> str:
    return "–" if amount is None else f"${amount:,.0f}"


def _notification_events(clock: Clock, members: list[Member], crm: CrmData, leads: list[dict],
                         performance: list[dict]) -> dict[int, list[Event]]:
    """What happened in the last 120 days that each active user would have been told about."""
    since = clock.end - timedelta(days=120)
    active = {member.id: member for member in members if member.left is None}
    events: dict[int, list[Event]] = {member_id: [] for member_id in active}
    names = {member.id: f"{member.first_name} {member.last_name}" for member in members}
    managers = {member.id: member.manager_id for member in members}
    for deal in crm.deals:
        owner = deal["owner_id"]
        if owner not in events:
            continue
        values = {"deal": {"id": deal["id"], "title": deal["title"], "company": crm.company_names[deal["company_id"]],
                           "amount": _usd(deal["amount"]), "stage": crm.stages[deal["stage_id"]][0],
                           "close_date": f"{deal['close_date']:%d %b %Y}".lstrip("0") if deal["close_date"] else "–"},
                  "actor": {"name": names.get(managers.get(owner) or owner, "Nexus360")}}
        if deal["stage_id"] in crm.won_stage_ids and deal["updated_at"] >= since:
            events[owner].append((deal["updated_at"], "deal_won", values, None))
        elif crm.is_open(deal) and deal["created_at"] >= since:
            events[owner].append((deal["created_at"], "deal_assigned", values, None))
    for row in performance:
        if row["status"] != "pending_approval" and row["updated_at"] >= since and row["user_id"] in events:
            label = quarter_label(row["period_start"])
            code = f"{row['period_start'].year}-Q{(row['period_start'].month - 1) // 3 + 1}"
            events[row["user_id"]].append((row["updated_at"], "statement_approved", {
                "period": {"code": code, "label": label}, "statement": {"commission": _usd(row["commission"])},
                "comment": "", "rep": {"id": row["user_id"]},
                "actor": {"name": names.get(managers.get(row["user_id"]) or 0, "Nexus360")}}, None))
    owners = {deal["id"]: deal["owner_id"] for deal in crm.deals}
    for lead in leads:
        deal_id = lead.get("converted_deal_id")
        owner = owners.get(deal_id)
        if owner in events and lead["updated_at"] >= since:
            events[owner].append((lead["updated_at"], "lead_handed", {
                "lead": {"name": f"{lead['first_name']} {lead['last_name']}", "email": lead["email"],
                         "company": lead["company_name"] or "–", "score": lead["score"]},
                "deal": {"id": deal_id, "title": f"{lead['company_name'] or lead['last_name']}: {lead['first_name']} "
                                                 f"{lead['last_name']}", "amount": "–"},
                "actor": {"name": "Marketing"}}, None))
    _knowledge_events(clock, active, events)
    return events


def _knowledge_events(clock: Clock, active: dict[int, Member], events: dict[int, list[Event]]) -> None:
    """The knowledge base's articles for everyone, added over the last months (by the knowledge admin)."""
    from nexus360.demo.chat import ARTICLES_DIR, MANAGERS_ONLY_PREFIX

    rng = rng_for("notifications:knowledge")
    author = next((member for member in active.values() if member.role == MARKETER), None)
    name = f"{author.first_name} {author.last_name}" if author else "Nexus360"
    for number, path in enumerate(sorted(ARTICLES_DIR.glob("*.md"))):
        if path.name.startswith(MANAGERS_ONLY_PREFIX):
            continue
        title = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        moment = clock.stamp(clock.day(-rng.randint(1, 110)), rng)
        for member_id in active:
            if author is None or member_id != author.id:  # nobody is told of what they did themselves
                events[member_id].append((moment, "knowledge_added", {
                    "article": {"id": number + 1, "title": title, "audience": "everyone"},
                    "actor": {"name": name}}, "it is written for everyone"))


def _seed_notifications(session: Session, clock: Clock, members: list[Member], events: dict[int, list[Event]],
                        counts: dict[str, int]) -> None:
    rng = rng_for("notifications")
    templates = []
    for index, spec in enumerate(CATALOG.values()):
        created = clock.stamp(clock.day(-400 + index), rng)
        templates.append({"name": spec.label[:100], "type": spec.type, "subject": spec.subject, "content": spec.body,
                          "created_at": created, "updated_at": created})
    insert_rows(session, NotificationTemplate, templates, counts, ids=False)
    rows = []
    for member in members:
        if member.left is not None:
            continue
        pool = sorted((event for event in events[member.id] if event[1] in data.NOTIFICATION_TYPES[member.role]),
                      key=lambda event: (event[0], event[1]))
        chosen = rng.sample(pool, min(len(pool), rng.randint(9, 29)))
        for number, (moment, kind, values, reason) in enumerate(sorted(chosen, key=lambda event: event[0])):
            recent = clock.end - moment < timedelta(days=7)
            rows.append(_row(member.id, moment, kind, values, reason, read=rng.random() >= (0.35 if recent else 0.9),
                             read_at=clock.cap(moment + timedelta(minutes=rng.randint(5, 2_880))),
                             key=f"demo:{member.id}:{number}"))
        title, message = data.WELCOME
        rows.append({"user_id": member.id, "type": "welcome", "title": title,
                     "message": message.format(first_name=member.first_name, role=member.role.replace("_", " ")),
                     "status": "read", "created_at": member.created_at, "read_at": member.created_at,
                     "link": "/", "reason": "you joined Nexus360", "data": None, "event_key": f"welcome:{member.id}"})
    rows.sort(key=lambda row: (row["created_at"], row["user_id"]))
    insert_rows(session, Notification, rows, counts, ids=False)


def _row(user_id: int, moment: datetime, kind: str, values: dict, reason: str | None, *, read: bool,
         read_at: datetime, key: str) -> dict:
    spec = CATALOG[kind]
    reason = reason or spec.reason
    link = link_for(spec, values)
    rendered = engine.render(subject=spec.subject, body=spec.body,
                             data={**values, "reason": reason, "link": link or ""})
    return {"user_id": user_id, "type": kind, "title": rendered.subject, "message": rendered.text,
            "status": "read" if read else "unread", "created_at": moment, "read_at": read_at if read else None,
            "link": link, "reason": reason, "data": json.loads(json.dumps(values, default=str)),
            "event_key": key}
