"""Lead scoring: rules marketers edit, a pure scoring function, and re-scoring every lead in batches.

A lead starts at BASE_POINTS; every matching rule adds its points (negative ones subtract); the result is
clamped to 0..100. Title keywords count once (the best match), so "VP, Head of Sales" is not counted twice.
A recency rule's value is the days per point lost and its points the most it may take away.
A company_size rule's value is a band of employees ("200-999", "1000+", "<50"); every band the lead's size
falls in counts, and a lead without a size gets nothing from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError
from nexus360.common.text import clean_text
from nexus360.marketing import repository
from nexus360.marketing.extra_models import LeadScoringRule

BASE_POINTS = 50
RULE_KINDS = (
    "title_keyword", "email_domain", "company_name_keyword", "company_size", "campaign_type", "completeness", "recency",
)
COMPLETENESS_FIELDS = ("first_name", "last_name", "phone", "company_name", "job_title", "company_size")
BAND_HINT = "like 200-999 (200 to 999 employees), 1000+ (1,000 or more) or <50 (fewer than 50)"
_RANGE = re.compile(r"(\d+)[-–](\d+)")
_AT_LEAST = re.compile(r"(\d+)\+")
_BELOW = re.compile(r"<(\d+)")


@dataclass(frozen=True)
class SizeBand:
    """A band of company sizes, in employees: low..high inclusive, or low and up when high is None."""

    low: int
    high: int | None

    def __contains__(self, size: object) -> bool:
        if not isinstance(size, int) or isinstance(size, bool):
            return False
        return self.low <= size and (self.high is None or size <= self.high)

    @property
    def text(self) -> str:
        """The band as stored: "200-999", "1000+" or "<50"."""
        if self.high is None:
            return f"{self.low}+"
        if self.low == 0:
            return f"<{self.high + 1}"
        return f"{self.low}-{self.high}"

    @property
    def words(self) -> str:
        """The band in plain words: "200 to 999 employees", "1,000 or more employees", "fewer than 50 employees"."""
        if self.high is None:
            return f"{self.low:,} or more employees"
        if self.low == 0:
            return f"fewer than {self.high + 1:,} employees"
        return f"{self.low:,} to {self.high:,} employees"


@lru_cache(maxsize=256)
def parse_size_band(value: str) -> SizeBand:
    """A band written "200-999", "1000+" or "<50" (spaces and thousands commas allowed); ValueError otherwise.

    Cached because re-scoring applies the same few rule values to every lead.
    """
    compact = re.sub(r"[\s,_]", "", str(value or ""))
    if match := _RANGE.fullmatch(compact):
        low, high = int(match[1]), int(match[2])
        if low > high:
            raise ValueError(
                f"In the company size band {value.strip()} the first number is larger than the second; "
                f"write the smaller number first, like {high}-{low}."
            )
        return SizeBand(low, high)
    if match := _AT_LEAST.fullmatch(compact):
        return SizeBand(int(match[1]), None)
    if match := _BELOW.fullmatch(compact):
        if int(match[1]) < 1:
            raise ValueError("The company size band <0 matches no company; the number after < must be 1 or more.")
        return SizeBand(0, int(match[1]) - 1)
    raise ValueError(f"A company size rule's value is a band of employees, {BAND_HINT}.")


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
        if self.kind == "company_size":
            self.value = parse_size_band(self.value).text  # stored one way: " 1,000 + " becomes "1000+"
        return self


class ScoringRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    value: str
    points: int
    is_active: bool


def _size_band(value: str) -> SizeBand | None:
    """The rule's band, or None for a value saved some other way (such a rule then matches nothing)."""
    try:
        return parse_size_band(value)
    except ValueError:
        return None


def _filled(value: Any) -> bool:
    """A text counts when it has more than spaces; a number (a company size of 0 too) always counts."""
    if isinstance(value, str) or value is None:
        return clean_text(value) is not None
    return True


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
    size = lead.get("company_size")
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
        elif rule.kind == "company_size" and size is not None and (band := _size_band(value)) and size in band:
            reasons.append((f"Company of {size:,} employees ({band.words.removesuffix(' employees')})", rule.points))
        elif rule.kind == "campaign_type" and campaign_type and campaign_type.lower() == value:
            reasons.append((f"Campaign type {value}", rule.points))
        elif rule.kind == "completeness" and _filled(lead.get(value)):
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


def save_scoring_rules(
    session: Session, principal: Principal, *, changes: list[tuple[int | None, ScoringRuleInput]]
) -> int:
    """Save several edited rules (rule id, or None for a new one) in the caller's one transaction."""
    for rule_id, data in changes:
        save_scoring_rule(session, principal, data=data, rule_id=rule_id)
    return len(changes)


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
