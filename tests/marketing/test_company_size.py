"""Scoring by company size: bands, points and reasons, the lead field, the import column and the seeded rules."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from sqlalchemy import delete, select

from nexus360.common.errors import ValidationError
from nexus360.common.validation import parse
from nexus360.db import Database, session_scope
from nexus360.importing.core import ImportSummary, run_import
from nexus360.importing.registry import get_importer
from nexus360.marketing import repository
from nexus360.marketing.leads import service as leads
from nexus360.marketing.models import LeadScoringRule
from nexus360.marketing.repository import LEADS as leads_table
from nexus360.marketing.schemas import (
    LeadCreate,
    LeadUpdate,
    ScoringRuleInput,
    ScoringRuleRead,
    SizeBand,
    parse_size_band,
)
from nexus360.marketing.scoring.engine import score_lead
from nexus360.ui.marketing.scoring import describe_rule
from tests.conftest import savepoints
from tests.crm.conftest import MARKETER_ID, principal
from tests.pages.apptest import open_as

TODAY = date(2026, 11, 20)
MARKETER = principal(MARKETER_ID, "marketer")
SIZE_MESSAGE = "Company size must be a whole number of employees, 0 or more."


def rule(kind: str, value: str, points: int) -> ScoringRuleRead:
    return ScoringRuleRead(id=0, kind=kind, value=value, points=points, is_active=True)


SIZE_RULES = [rule("company_size", "<50", -5), rule("company_size", "200-999", 10), rule("company_size", "1000+", 15)]


# --- bands ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("200-999", SizeBand(200, 999)),
        ("1000+", SizeBand(1000, None)),
        ("<50", SizeBand(0, 49)),
        (" 1,000 + ", SizeBand(1000, None)),
        ("200 – 999", SizeBand(200, 999)),
        ("0-0", SizeBand(0, 0)),
    ],
)
def test_bands_are_read_from_the_three_written_forms(text, band):
    assert parse_size_band(text) == band


@pytest.mark.parametrize(("text", "stored"), [("1,000 +", "1000+"), ("200 - 999", "200-999"), ("< 50", "<50"),
                                              ("0-49", "<50")])
def test_a_band_rule_is_stored_in_one_way(text, stored):
    assert parse(ScoringRuleInput, kind="company_size", value=text, points=10).value == stored


@pytest.mark.parametrize("text", ["lots", "big", "1000-", "-50", ">1000", "50-100-200"])
def test_a_value_that_is_not_a_band_is_refused_with_examples(text):
    with pytest.raises(ValidationError, match="a band of employees, like 200-999"):
        parse(ScoringRuleInput, kind="company_size", value=text, points=10)


def test_a_band_written_largest_first_is_refused_with_the_fix():
    with pytest.raises(ValidationError, match="write the smaller number first, like 200-999"):
        parse(ScoringRuleInput, kind="company_size", value="999-200", points=10)


def test_a_band_below_zero_is_refused():
    with pytest.raises(ValidationError, match="the number after < must be 1 or more"):
        parse(ScoringRuleInput, kind="company_size", value="<0", points=10)


def test_band_edges_are_inclusive():
    band = parse_size_band("200-999")
    assert (199 in band, 200 in band, 999 in band, 1000 in band) == (False, True, True, False)
    assert 0 in parse_size_band("<50") and 50 not in parse_size_band("<50")
    assert None not in band


@pytest.mark.parametrize(
    ("value", "points", "words"),
    [
        ("1000+", 15, "+15 points when the company has 1,000 or more employees"),
        ("200-999", 10, "+10 points when the company has 200 to 999 employees"),
        ("<50", -5, "-5 points when the company has fewer than 50 employees"),
    ],
)
def test_a_size_rule_reads_as_plain_words(value, points, words):
    assert describe_rule("company_size", value, points) == words


def test_a_stored_value_that_is_not_a_band_is_described_not_crashed_on():
    assert "is not valid" in describe_rule("company_size", "lots", 5)


# --- scoring --------------------------------------------------------------------------------------


def test_a_large_company_gets_its_band_points_and_a_reason():
    score, reasons = score_lead({"email": "a@acme.example", "company_size": 1200}, None, SIZE_RULES, TODAY)
    assert score == 50 + 15
    assert reasons == [("Base score", 50), ("Company of 1,200 employees (1,000 or more)", 15)]


def test_a_mid_size_company_on_the_band_edge_gets_that_band_only():
    score, reasons = score_lead({"email": "a@acme.example", "company_size": 999}, None, SIZE_RULES, TODAY)
    assert score == 50 + 10
    assert reasons[1] == ("Company of 999 employees (200 to 999)", 10)


def test_a_small_company_can_lose_points():
    score, _reasons = score_lead({"email": "a@acme.example", "company_size": 12}, None, SIZE_RULES, TODAY)
    assert score == 50 - 5


def test_a_size_outside_every_band_scores_nothing():
    score, reasons = score_lead({"email": "a@acme.example", "company_size": 120}, None, SIZE_RULES, TODAY)
    assert (score, reasons) == (50, [("Base score", 50)])


def test_a_lead_without_a_size_gets_nothing_from_size_rules():
    score, reasons = score_lead({"email": "a@acme.example", "company_size": None}, None, SIZE_RULES, TODAY)
    assert (score, reasons) == (50, [("Base score", 50)])


def test_every_band_a_size_falls_in_counts():
    rules = [*SIZE_RULES, rule("company_size", "500+", 5)]
    score, _reasons = score_lead({"email": "a@acme.example", "company_size": 5000}, None, rules, TODAY)
    assert score == 50 + 15 + 5


def test_size_adds_to_title_and_campaign_points():
    rules = [*SIZE_RULES, rule("title_keyword", "vp", 25), rule("campaign_type", "event", 15)]
    lead = {"email": "a@acme.example", "job_title": "VP Sales", "company_size": 300}
    score, _reasons = score_lead(lead, "event", rules, TODAY)
    assert score == min(100, 50 + 25 + 15 + 10)  # 100


def test_a_known_size_counts_as_a_filled_field_even_when_zero():
    rules = [rule("completeness", "company_size", 5)]
    assert score_lead({"email": "a@x.example", "company_size": 0}, None, rules, TODAY)[0] == 55
    assert score_lead({"email": "a@x.example", "company_size": None}, None, rules, TODAY)[0] == 50


def test_a_rule_whose_stored_band_is_broken_matches_nothing():
    score, _reasons = score_lead({"email": "a@x.example", "company_size": 10}, None,
                                 [rule("company_size", "lots", 20)], TODAY)
    assert score == 50


# --- the lead field -------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), [(350, 350), (" 350 ", 350), ("1,200", 1200), (0, 0), ("", None),
                                               (None, None), (1200.0, 1200)])
def test_company_size_accepts_whole_numbers_of_employees(given, stored):
    assert parse(LeadCreate, email="a@x.example", company_size=given).company_size == stored


@pytest.mark.parametrize("given", [-1, "lots", "12.5", 12.5, "1,20", True])
def test_company_size_refuses_anything_else_in_plain_words(given):
    with pytest.raises(ValidationError) as error:
        parse(LeadCreate, email="a@x.example", company_size=given)
    assert str(error.value) == SIZE_MESSAGE


def test_an_absurd_company_size_is_refused():
    with pytest.raises(ValidationError, match="at most 10,000,000 employees"):
        parse(LeadUpdate, email="a@x.example", company_size=20_000_000)


def test_created_lead_keeps_its_size_and_is_scored_by_the_seeded_size_rules(marketing, marketer):
    created = leads.create_lead(
        marketing, marketer, today=TODAY,
        data=parse(LeadCreate, email=f"size.{uuid.uuid4().hex[:8]}@example.org", company_size="1,500"),
    )
    # seeded rules: base 50, 1000+ +15
    assert (created.lead.company_size, created.lead.score) == (1500, 65)
    assert ["Company of 1,500 employees (1,000 or more)", 15] in [list(r) for r in created.lead.score_reasons]


def test_updating_the_size_rescores_the_lead(marketing, marketer):
    email = f"size.{uuid.uuid4().hex[:8]}@example.org"
    lead = leads.create_lead(marketing, marketer, today=TODAY, data=parse(LeadCreate, email=email)).lead
    assert lead.score == 50
    updated = leads.update_lead(marketing, marketer, lead_id=lead.id, today=TODAY,
                                data=parse(LeadUpdate, email=email, company_size=250))
    assert (updated.company_size, updated.score) == (250, 60)  # seeded 200-999 +10


def test_rescoring_reads_the_company_size(marketing, marketer):
    email = f"size.{uuid.uuid4().hex[:8]}@example.org"
    lead = leads.create_lead(marketing, marketer, today=TODAY, data=parse(LeadCreate, email=email, company_size=60))
    batch = repository.lead_scoring_batch(marketing, after_id=lead.lead.id - 1, limit=1)
    assert (batch[0]["id"], batch[0]["company_size"]) == (lead.lead.id, 60)


def test_export_has_the_company_size(marketing, marketer):
    email = f"size.{uuid.uuid4().hex[:8]}@example.org"
    leads.create_lead(marketing, marketer, today=TODAY, data=parse(LeadCreate, email=email, company_size=75))
    frame = leads.export_leads(marketing, marketer, search=email)
    assert frame["company_size"].tolist() == [75]


def test_the_migration_seeds_company_size_rules(marketing):
    seeded = set(marketing.execute(
        select(LeadScoringRule.value, LeadScoringRule.points).where(LeadScoringRule.kind == "company_size")
    ).all())
    assert {("50-199", 5), ("200-999", 10), ("1000+", 15)} <= seeded


# --- import ---------------------------------------------------------------------------------------


def run(db, text: str) -> ImportSummary:
    return run_import(get_importer("leads"), io.BytesIO(text.encode()), principal=MARKETER, sessions=savepoints(db))


def test_import_reads_messy_sizes_and_refuses_words_by_line(db, marketing):
    tag = uuid.uuid4().hex[:8]
    summary = run(db, (
        "email,Company size\n"
        f"a.{tag}@example.org,\"1,200\"\n"
        f"b.{tag}@example.org, 350 \n"
        f"c.{tag}@example.org,lots\n"
        f"d.{tag}@example.org,\n"
        f"e.{tag}@example.org,-4\n"
    ))
    assert (summary.inserted, summary.skipped) == (3, 2)
    assert {error.line: error.reason for error in summary.errors} == {
        4: "company size: 'lots' is not a whole number of employees (0 or more)",
        6: "company size: '-4' is not a whole number of employees (0 or more)",
    }
    sizes = {who: repository.find_leads_by_email(marketing, f"{who}.{tag}@example.org")[0]["company_size"]
             for who in "abd"}
    assert sizes == {"a": 1200, "b": 350, "d": None}


def test_imported_sizes_are_scored(db, marketing):
    email = f"big.{uuid.uuid4().hex[:8]}@example.org"
    run(db, f"email,employees\n{email},2500\n")
    row = repository.find_leads_by_email(marketing, email)[0]
    assert row["score"] == 65  # seeded rules: base 50, 1000+ +15


def test_a_blank_size_cell_keeps_the_known_size_and_reimport_changes_nothing(db, marketing):
    email = f"keep.{uuid.uuid4().hex[:8]}@example.org"
    run(db, f"email,headcount\n{email},300\n")
    again = run(db, f"email,headcount,phone\n{email},,\n")
    assert (again.updated, again.unchanged) == (0, 1)
    assert repository.find_leads_by_email(marketing, email)[0]["company_size"] == 300


# --- demo data ------------------------------------------------------------------------------------


def test_most_seeded_leads_have_a_size_and_some_scores_show_size_reasons(marketing):
    t = leads_table.c
    rows = marketing.execute(select(t.company_name, t.company_size, t.score_reasons)).all()
    assert sum(size is not None for _name, size, _reasons in rows) > 0.7 * len(rows)
    assert all(size is None or size >= 0 for _name, size, _reasons in rows)
    sizes_by_company: dict[str, set] = {}
    for name, size, _reasons in rows:
        sizes_by_company.setdefault(name, set()).add(size)
    assert all(len(sizes) == 1 for sizes in sizes_by_company.values())  # a company's leads agree on its size
    assert any(label.startswith("Company of ") for *_, reasons in rows for label, _points in reasons)


# --- the page -------------------------------------------------------------------------------------


def test_the_scoring_tab_describes_size_rules_in_plain_words(seeded):
    app = open_as("manager", "marketing")
    app.session_state["campaigns_tab"] = "Scoring"
    app.run()
    rules = next(frame.value for frame in app.dataframe if "meaning" in frame.value.columns)
    assert "+15 points when the company has 1,000 or more employees" in set(rules["meaning"])


def test_a_marketer_creates_a_lead_with_a_company_size_on_the_page(seeded):
    email = f"page.size.{uuid.uuid4().hex[:8]}@example.org"
    app = open_as("marketer", "marketing")
    app.session_state["campaigns_tab"] = "Leads"
    app.session_state["new_lead_open"] = True
    app.run()
    next(box for box in app.text_input if box.key == "lead_form_new_0_email").input(email)
    next(box for box in app.number_input if box.key == "lead_form_new_0_company_size").set_value(1500)
    next(button for button in app.button if button.key == "lead_form_new_0_save").click().run()
    assert not app.exception
    with session_scope(Database.MARKETING, admin=True) as session:
        rows = repository.find_leads_by_email(session, email)
        session.execute(delete(leads_table).where(leads_table.c.id.in_([row["id"] for row in rows])))
    assert [(row["company_size"], row["score"]) for row in rows] == [(1500, 65)]
