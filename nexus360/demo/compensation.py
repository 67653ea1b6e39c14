"""Demo commissions: rules, and the past eight quarters' statements computed by the real engine."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from nexus360.compensation import engine
from nexus360.compensation.models import (
    CommissionDispute,
    CommissionEvent,
    CommissionLine,
    CommissionRule,
    SalesPerformance,
)
from nexus360.compensation.rules.service import validate_rule
from nexus360.compensation.statements.service import earns_commission
from nexus360.db import Database
from nexus360.demo.common import Clock, CrmData, Demo, Member, insert_rows, quarter_start, quarters, rng_for

DATABASE = Database.COMPENSATION
TABLES = ("commission_rules", "sales_performance", "commission_lines", "commission_events", "commission_disputes")


def seed(session: Session, demo: Demo) -> str:
    """Commission rules and statements with their lines, history and one open dispute."""
    assert demo.crm is not None, "the crm step runs first"
    demo.performance = _seed_compensation(session, demo.clock, demo.members, demo.crm, demo.counts)
    counts = demo.counts
    return f"compensation: {counts['commission_rules']} rules, {counts['sales_performance']} statements"


def _seed_compensation(
    session: Session, clock: Clock, members: list[Member], crm: CrmData, counts: dict[str, int]
) -> list[dict]:
    """Valid rules, and the past eight quarters computed by the real engine with their lines and history.

    The latest closed quarter awaits approval (half of it approved), older ones are paid, and the current
    quarter is not run yet: the manager runs it in the demo.
    """
    rng = rng_for("compensation")
    year = clock.anchor.year
    bonus_year = year if clock.anchor.month >= 10 else year - 1
    tiers = {"tiers": [{"up_to": 250_000, "rate": 1}, {"above": 250_000, "rate": 3}], "quota": 250_000}
    rules = [
        ("Legacy flat commission (4%)", "flat", {}, "4.00", date(year - 5, 1, 1), date(year - 4, 12, 31)),
        ("Standard commission (5% of won deals)", "flat", {}, "5.00", date(year - 3, 1, 1), None),
        ("Enterprise accelerator", "tiered", tiers, "0.00", date(year - 1, 1, 1), None),
        ("Q4 large-deal bonus", "bonus", {"min_amount": 100_000, "months": [10, 11, 12]}, "1.00",
         date(bonus_year, 10, 1), date(bonus_year, 12, 31)),
        ("Quota club bonus", "bonus", {"min_attainment": 1, "amount": 2500}, "0.00", date(year - 1, 1, 1), None),
    ]
    rule_rows = []
    for name, kind, criteria, rate, start, end in rules:
        validate_rule(name=name, type=kind, criteria=criteria, rate=rate, start_date=start, end_date=end)
        created = clock.stamp(min(start - timedelta(days=14), clock.day(-1)), rng)
        rule_rows.append({"name": name, "type": kind, "criteria": criteria, "rate": Decimal(rate), "start_date": start,
                          "end_date": end, "created_at": created, "updated_at": created})
    rule_ids = insert_rows(session, CommissionRule, rule_rows, counts)
    engine_rules = [engine.Rule(id=rule_id, name=row["name"], type=row["type"], criteria=row["criteria"],
                                rate=row["rate"], start_date=row["start_date"], end_date=row["end_date"])
                    for rule_id, row in zip(rule_ids, rule_rows, strict=True)]
    won: dict[tuple[int, date], list[engine.WonDeal]] = {}
    seen_companies: set[int] = set()
    for deal in sorted(crm.deals, key=lambda deal: (deal["close_date"], deal["id"])):
        if deal["stage_id"] in crm.won_stage_ids:
            won.setdefault((deal["owner_id"], quarter_start(deal["close_date"])), []).append(engine.WonDeal(
                id=deal["id"], amount=deal["amount"], close_date=deal["close_date"],
                stage=crm.stages[deal["stage_id"]][0], is_new_customer=deal["company_id"] not in seen_companies))
            seen_companies.add(deal["company_id"])
    sellers = [member for member in members if earns_commission((member.role,))]  # reps; managers earn none
    rows, statements = [], []
    past = quarters(clock, -8, -1)
    for start, end in past:
        latest = (start, end) == past[-1]
        in_force = [rule for rule in engine_rules if rule.in_force(start, end)]
        quota = engine.default_quota(in_force)
        for index, seller in enumerate(sellers):
            if seller.hired > end or (seller.left is not None and seller.left <= start):
                continue
            statement = engine.compute_statement(
                user_id=seller.id, period_start=start, period_end=end, deals=won.get((seller.id, start), []),
                rules=in_force, quota=quota, roles=(seller.role,))
            status = ("approved" if index % 2 else "pending_approval") if latest else "paid"
            created = clock.stamp(min(end + timedelta(days=3), clock.day(-1)), rng)
            settled = {"paid": 25, "approved": 12, "pending_approval": 0}[status]
            rows.append({
                "user_id": seller.id, "period_start": start, "period_end": end, "revenue": statement.revenue,
                "commission": statement.commission, "status": status, "created_at": created,
                "updated_at": max(created, clock.stamp(min(end + timedelta(days=settled), clock.day(-1)), rng)),
                "quota": statement.quota,
            })
            statements.append((statement, seller.manager_id or 2))
    performance = SalesPerformance.__table__
    counts["sales_performance"] = counts.get("sales_performance", 0) + len(rows)
    performance_ids = list(session.scalars(
        insert(performance).returning(performance.c.id, sort_by_parameter_order=True), rows)) if rows else []
    line_rows, event_rows = [], []
    for performance_id, row, (statement, manager_id) in zip(performance_ids, rows, statements, strict=True):
        line_rows += [{"performance_id": performance_id, "deal_id": line.deal_id, "rule_id": line.rule_id,
                       "kind": line.kind, "basis": line.basis, "rate": line.rate, "amount": line.amount,
                       "explanation": line.explanation, "reason": None, "created_by": None,
                       "created_at": row["created_at"]} for line in statement.lines]
        steps = [("computed", None, "draft", 3), ("submitted", "draft", "pending_approval", 4)]
        if row["status"] in ("approved", "paid"):
            steps.append(("approved", "pending_approval", "approved", 12))
        if row["status"] == "paid":
            steps.append(("paid", "approved", "paid", 25))
        for action, before, after, days in steps:
            event_rows.append({"performance_id": performance_id, "action": action, "from_status": before,
                               "to_status": after, "comment": None, "actor_id": manager_id,
                               "created_at": clock.stamp(min(row["period_end"] + timedelta(days=days),
                                                             clock.day(-1)), rng)})
    line_ids = insert_rows(session, CommissionLine, line_rows, counts)
    insert_rows(session, CommissionEvent, event_rows, counts, ids=False)
    # The rep demo account (Emily, user 10) disputes one line of her latest statement.
    latest_of_emily = {performance_id for performance_id, row in zip(performance_ids, rows, strict=True)
                       if row["user_id"] == 10 and row["status"] != "paid"}
    disputed = [(line_id, line) for line_id, line in zip(line_ids, line_rows, strict=True)
                if line["kind"] == "deal" and line["performance_id"] in latest_of_emily][:1]
    insert_rows(session, CommissionDispute, [{
        "performance_id": line["performance_id"], "line_id": line_id, "user_id": 10, "status": "open",
        "comment": "This deal was co-sold with a partner; I was told the standard rate applies in full.",
        "resolution": None, "resolved_by": None, "created_at": clock.stamp(clock.day(-1), rng), "resolved_at": None,
    } for line_id, line in disputed], counts, ids=False)
    return rows
