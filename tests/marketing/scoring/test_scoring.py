"""Lead scoring: hand-computed scores, clamping, decay, rule validation and re-scoring every lead."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.common.validation import parse
from nexus360.db import Database
from nexus360.marketing.repository import LEADS as leads_table
from nexus360.marketing.schemas import ScoringRuleInput, ScoringRuleRead
from nexus360.marketing.scoring import service as scoring
from nexus360.marketing.scoring.engine import score_lead
from tests.crm.conftest import MARKETER_ID, REP_ID, principal

TODAY = date(2026, 11, 20)


def rule(kind: str, value: str, points: int) -> ScoringRuleRead:
    return ScoringRuleRead(id=0, kind=kind, value=value, points=points, is_active=True)


DEFAULTS = [
    rule("title_keyword", "chief", 25),
    rule("title_keyword", "vp", 25),
    rule("title_keyword", "director", 20),
    rule("title_keyword", "head", 20),
    rule("title_keyword", "manager", 10),
    rule("email_domain", "gmail.com", -10),
    rule("campaign_type", "webinar", 10),
    rule("campaign_type", "event", 15),
    rule("completeness", "phone", 5),
    rule("completeness", "company_name", 5),
    rule("recency", "7", -30),
]


@pytest.fixture
def marketing(db):
    return db(Database.MARKETING)


@pytest.fixture
def marketer():
    return principal(MARKETER_ID, "marketer")


def test_director_at_event_with_full_record():
    lead = {
        "email": "a@acme.example",
        "job_title": "Sales Director",
        "phone": "1",
        "company_name": "Acme",
        "created_at": datetime(2026, 11, 20, 9),
    }
    score, reasons = score_lead(lead, "event", DEFAULTS, TODAY)
    assert score == 50 + 20 + 15 + 5 + 5  # 95
    assert reasons[:2] == [("Base score", 50), ("Job title mentions 'director'", 20)]


def test_only_the_best_title_keyword_counts():
    score, _ = score_lead({"email": "a@b.example", "job_title": "VP, Head of Sales"}, None, DEFAULTS, TODAY)
    assert score == 50 + 25


def test_title_keywords_match_whole_words():
    score, _ = score_lead({"email": "a@b.example", "job_title": "Headhunter"}, None, DEFAULTS, TODAY)
    assert score == 50


def test_free_mail_domain_loses_points_case_insensitively():
    score, reasons = score_lead({"email": "Someone@GMAIL.com"}, None, DEFAULTS, TODAY)
    assert score == 40
    assert ("Email domain gmail.com", -10) in reasons


def test_decay_is_one_point_per_seven_days():
    score, reasons = score_lead({"email": "a@b.example", "created_at": date(2026, 10, 20)}, None, DEFAULTS, TODAY)
    assert score == 50 - 4  # 31 days old
    assert reasons[-1] == ("Age: -1 per 7 days", -4)


def test_decay_is_capped():
    score, _ = score_lead({"email": "a@b.example", "created_at": date(2020, 1, 1)}, None, DEFAULTS, TODAY)
    assert score == 50 - 30


def test_score_is_clamped_to_0_and_100():
    high = [rule("company_name_keyword", "bank", 80)]
    low = [rule("email_domain", "gmail.com", -90)]
    assert score_lead({"email": "a@b.example", "company_name": "Big Bank"}, None, high, TODAY)[0] == 100
    assert score_lead({"email": "a@gmail.com"}, None, low, TODAY)[0] == 0


def test_rule_kind_must_be_known():
    with pytest.raises(ValidationError, match="Kind must be one of: title_keyword"):
        parse(ScoringRuleInput, kind="size", value="x", points=1)


def test_recency_value_must_be_a_number_of_days():
    with pytest.raises(ValidationError, match="number of days per point lost"):
        parse(ScoringRuleInput, kind="recency", value="weekly", points=-10)


def test_completeness_value_must_be_a_lead_field():
    with pytest.raises(ValidationError, match="completeness rule names a lead field"):
        parse(ScoringRuleInput, kind="completeness", value="fax", points=5)


def test_points_are_bounded():
    with pytest.raises(ValidationError, match="Points must be at least -100"):
        parse(ScoringRuleInput, kind="title_keyword", value="ceo", points=-500)


def test_defaults_are_seeded(marketing, marketer):
    kinds = {(r.kind, r.value): r.points for r in scoring.list_scoring_rules(marketing, marketer)}
    assert kinds[("title_keyword", "director")] == 20
    assert kinds[("email_domain", "hotmail.com")] == -10
    assert kinds[("recency", "7")] == -30


def test_marketer_saves_and_changes_a_rule(marketing, marketer):
    saved = scoring.save_scoring_rule(
        marketing, marketer, data=parse(ScoringRuleInput, kind="Title_Keyword", value=" CEO ", points=30)
    )
    assert (saved.kind, saved.value, saved.points) == ("title_keyword", "ceo", 30)
    changed = scoring.save_scoring_rule(
        marketing,
        marketer,
        rule_id=saved.id,
        data=parse(ScoringRuleInput, kind="title_keyword", value="ceo", points=35, is_active=False),
    )
    assert (changed.id, changed.points, changed.is_active) == (saved.id, 35, False)


def test_rep_cannot_save_rules(marketing):
    with pytest.raises(AuthorizationError):
        scoring.save_scoring_rule(
            marketing,
            principal(REP_ID, "sales_rep"),
            data=parse(ScoringRuleInput, kind="title_keyword", value="ceo", points=30),
        )


def test_rescore_all_counts_and_reports_progress(marketing, marketer):
    total = marketing.execute(select(func.count()).select_from(leads_table)).scalar_one()
    seen = []
    result = scoring.rescore_all(
        marketing, marketer, today=TODAY, batch_size=700, progress=lambda done, of: seen.append((done, of))
    )
    assert result["leads"] == total
    assert seen[-1] == (total, total)
    assert len(seen) == -(-total // 700)
    again = scoring.rescore_all(marketing, marketer, today=TODAY, batch_size=700)
    assert again == {"leads": total, "changed": 0}


def test_rescore_stores_score_and_reasons(marketing, marketer):
    scoring.rescore_all(marketing, marketer, today=TODAY)
    row = marketing.execute(select(leads_table).order_by(leads_table.c.id).limit(1)).mappings().one()
    assert row["score_reasons"][0] == ["Base score", 50]
    assert row["score"] == max(0, min(100, sum(points for _, points in row["score_reasons"])))
