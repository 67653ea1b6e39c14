"""Lead scoring: rules marketers edit, a pure scoring function, and re-scoring every lead in batches.

A lead starts at BASE_POINTS; every matching rule adds its points (negative ones subtract); the result is
clamped to 0..100. Title keywords count once (the best match), so "VP, Head of Sales" is not counted twice.
A recency rule's value is the days per point lost and its points the most it may take away.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.crm.schemas import clean_text
from nexus360.errors import NotFoundError
from nexus360.marketing import repository
from nexus360.marketing.extra_models import LeadScoringRule

BASE_POINTS = 50
RULE_KINDS = ("title_keyword", "email_domain", "company_name_keyword", "campaign_type", "completeness", "recency")
COMPLETENESS_FIELDS = ("first_name", "last_name", "phone", "company_name", "job_title")


class Rule(Protocol):
    kind: str
    value: str
    points: int


class ScoringRuleInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    kind: str
    value: str = Field(min_length=1, max_length=255)
    points: int = Field(ge=-100, le=100)
    is_active: bool = True

    _value = field_validator("value", mode="before")(lambda value: (clean_text(value) or "").lower())

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> str:
        cleaned = (clean_text(value) or "").lower()
        if cleaned not in RULE_KINDS:
            raise ValueError(f"Kind must be one of: {', '.join(RULE_KINDS)}")
        return cleaned

    @model_validator(mode="after")
    def _value_fits_kind(self) -> ScoringRuleInput:
        if self.kind == "completeness" and self.value not in COMPLETENESS_FIELDS:
            raise ValueError(f"A completeness rule names a lead field: {', '.join(COMPLETENESS_FIELDS)}")
        if self.kind == "recency" and (not self.value.isdigit() or int(self.value) < 1):
            raise ValueError("A recency rule's value is the number of days per point lost (a whole number ≥ 1)")
        return self


class ScoringRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    value: str
    points: int
    is_active: bool


def _age_days(created: date | datetime | None, today: date) -> int:
    if created is None:
        return 0
    day = created.date() if isinstance(created, datetime) else created
    return max(0, (today - day).days)


def score_lead(
    lead: Mapping[str, Any], campaign_type: str | None, rules: Sequence[Rule], today: date
) -> tuple[int, list[tuple[str, int]]]:
    """(score clamped to 0..100, [(reason, points), …]) for one lead's fields under `rules`."""
    reasons: list[tuple[str, int]] = [("Base score", BASE_POINTS)]
    title = (lead.get("job_title") or "").lower()
    email = (lead.get("email") or "").lower()
    domain = email.rsplit("@", 1)[-1] if "@" in email else ""
    company = (lead.get("company_name") or "").lower()
    best_title: tuple[str, int] | None = None
    for rule in rules:
        value = rule.value.lower()
        if rule.kind == "title_keyword" and title and re.search(rf"\b{re.escape(value)}\b", title):
            if best_title is None or rule.points > best_title[1]:
                best_title = (f"Job title mentions '{value}'", rule.points)
        elif rule.kind == "email_domain" and domain and (domain == value or domain.endswith("." + value)):
            reasons.append((f"Email domain {value}", rule.points))
        elif rule.kind == "company_name_keyword" and company and value in company:
            reasons.append((f"Company name mentions '{value}'", rule.points))
        elif rule.kind == "campaign_type" and campaign_type and campaign_type.lower() == value:
            reasons.append((f"Campaign type {value}", rule.points))
        elif rule.kind == "completeness" and clean_text(lead.get(value)):
            reasons.append((f"Has {value.replace('_', ' ')}", rule.points))
        elif rule.kind == "recency" and value.isdigit() and int(value) > 0:
            lost = min(_age_days(lead.get("created_at"), today) // int(value), abs(rule.points))
            if lost:
                reasons.append((f"Age: -1 per {value} days", -lost))
    if best_title:
        reasons.insert(1, best_title)
    total = sum(points for _, points in reasons)
    return max(0, min(100, total)), reasons


def list_scoring_rules(session: Session, principal: Principal) -> list[ScoringRuleRead]:
    """Every scoring rule, by kind and value."""
    require(principal, "marketing.read")
    return [ScoringRuleRead.model_validate(rule) for rule in repository.list_scoring_rules(session)]


def save_scoring_rule(
    session: Session, principal: Principal, *, data: ScoringRuleInput, rule_id: int | None = None
) -> ScoringRuleRead:
    """Create a rule, or change rule `rule_id` (permission marketing.write)."""
    require(principal, "marketing.write")
    if rule_id is None:
        rule = LeadScoringRule(**data.model_dump())
        session.add(rule)
    else:
        rule = repository.get_scoring_rule(session, rule_id)
        if rule is None:
            raise NotFoundError(f"Scoring rule {rule_id} does not exist (it may have been deleted).")
        for name, value in data.model_dump().items():
            setattr(rule, name, value)
    session.flush()
    return ScoringRuleRead.model_validate(rule)


def active_rules(session: Session) -> list[ScoringRuleRead]:
    return [ScoringRuleRead.model_validate(rule) for rule in repository.list_scoring_rules(session, active_only=True)]


def rescore_all(
    session: Session,
    principal: Principal,
    *,
    today: date,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Apply the active rules to every lead, in id-ordered batches (permission marketing.write)."""
    require(principal, "marketing.write")
    rules = active_rules(session)
    total = repository.count_leads(session)
    done = changed = 0
    after_id = 0
    while True:
        batch = repository.lead_scoring_batch(session, after_id=after_id, limit=batch_size)
        if not batch:
            break
        updates = []
        for lead in batch:
            score, reasons = score_lead(lead, lead["campaign_type"], rules, today)
            stored = [[label, points] for label, points in reasons]
            if score != lead["score"] or stored != lead["score_reasons"]:
                updates.append({"lead_id": lead["id"], "new_score": score, "new_reasons": stored})
        repository.update_scores(session, updates)
        done += len(batch)
        changed += len(updates)
        after_id = batch[-1]["id"]
        if progress is not None:
            progress(done, total)
    return {"leads": done, "changed": changed}
