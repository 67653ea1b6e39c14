"""Commission rules as managers edit them: validated, described in plain words, never deleted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from nexus360.common.errors import AuthorizationError, NotFoundError, ValidationError
from nexus360.compensation.rules import service as rules_service
from nexus360.compensation.schemas import RuleCreate
from nexus360.db import Database
from tests.compensation.conftest import MANAGER, principal

REP = principal(10, "sales_rep")
TIERED = {"tiers": [{"up_to": 100_000, "rate": 5}, {"above": 100_000, "rate": 8}], "quota": 100_000}


def rule(**changes) -> RuleCreate:
    values = {"name": "Accelerator 2031", "type": "tiered", "rate": Decimal(0), "criteria": TIERED,
              "start_date": date(2031, 1, 1), "end_date": None}
    return RuleCreate(**(values | changes))


@pytest.fixture
def comp(db):
    return db(Database.COMPENSATION)


def test_a_manager_creates_a_rule_that_describes_itself(comp) -> None:
    created = rules_service.create_rule(comp, MANAGER, data=rule())
    assert created.id > 0
    assert created.description == "Pays 5% up to $100,000, 8% above $100,000 of the period's won revenue."
    assert created.in_force is False  # starts in 2031
    assert created.id in {read.id for read in rules_service.list_rules(comp, MANAGER)}


def test_invalid_criteria_get_a_plain_message_and_save_nothing(comp) -> None:
    before = len(rules_service.list_rules(comp, MANAGER))
    bad = {"tiers": [{"up_to": 100_000, "rate": 5}, {"above": 90_000, "rate": 8}]}
    with pytest.raises(ValidationError, match="must start where the previous tier ends"):
        rules_service.create_rule(comp, MANAGER, data=rule(criteria=bad))
    with pytest.raises(ValidationError, match="End date must not be before the start date"):
        rules_service.create_rule(comp, MANAGER, data=rule(end_date=date(2030, 1, 1)))
    with pytest.raises(ValidationError, match="flat rule needs a rate above 0%"):
        rules_service.create_rule(comp, MANAGER, data=rule(type="flat", criteria={}))
    assert len(rules_service.list_rules(comp, MANAGER)) == before


def test_a_manager_updates_and_ends_a_rule(comp) -> None:
    created = rules_service.create_rule(comp, MANAGER, data=rule())
    updated = rules_service.update_rule(comp, MANAGER, rule_id=created.id, data=rule(
        name="Flat 3% on big deals", type="flat", rate=Decimal(3), criteria={"min_amount": 50_000}))
    assert (updated.name, updated.type, updated.rate) == ("Flat 3% on big deals", "flat", Decimal(3))
    assert updated.description == "Pays 3% of each won deal over $50,000."
    ended = rules_service.end_rule(comp, MANAGER, rule_id=created.id, end_date=date(2031, 6, 30))
    assert ended.end_date == date(2031, 6, 30)
    with pytest.raises(ValidationError, match="End date"):
        rules_service.end_rule(comp, MANAGER, rule_id=created.id, end_date=date(2030, 12, 31))


def test_an_unknown_rule_is_not_found(comp) -> None:
    with pytest.raises(NotFoundError):
        rules_service.update_rule(comp, MANAGER, rule_id=987654321, data=rule())


def test_reps_read_the_rules_but_cannot_change_them(comp) -> None:
    assert rules_service.list_rules(comp, REP)  # the demo rules that pay them
    with pytest.raises(AuthorizationError):
        rules_service.create_rule(comp, REP, data=rule())
    with pytest.raises(AuthorizationError):
        rules_service.list_rules(comp, principal(3, "marketer"))


def test_the_seeded_rules_all_validate(comp) -> None:
    rules = rules_service.list_rules(comp, MANAGER)
    assert {read.type for read in rules} == {"flat", "tiered", "bonus"}
    assert all(read.description.startswith("Pays") for read in rules)


def test_a_rate_with_more_than_two_decimals_is_refused(comp) -> None:
    with pytest.raises(ValidationError, match="at most two decimals"):
        rules_service.create_rule(comp, MANAGER, data=rule(type="flat", criteria={}, rate=Decimal("5.255")))
