"""Lead scoring, the pure part: a lead's score and its reasons under a set of rules (no session, no I/O).

A lead starts at BASE_POINTS; every matching rule adds its points (negative ones subtract); the result is
clamped to 0..100. Title keywords count once (the best match), so "VP, Head of Sales" is not counted twice.
A recency rule's value is the days per point lost and its points the most it may take away.
A company_size rule's value is a band of employees ("200-999", "1000+", "<50"); every band the lead's size
falls in counts, and a lead without a size gets nothing from them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from nexus360.common.text import clean_text
from nexus360.marketing.schemas import SizeBand, parse_size_band

BASE_POINTS = 50


class Rule(Protocol):
    kind: str
    value: str
    points: int


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
