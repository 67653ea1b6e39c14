"""Remembered answers: kept per person, entity and set of columns (in any order or case), merged with earlier
ones, and under row-level security: nobody reads another person's."""

from __future__ import annotations

from sqlalchemy import select

from nexus360.db import Database
from nexus360.db.engine import set_actor
from nexus360.importing.memory import IMPORT_CHOICES, Remembered, columns_key, recall, remember
from nexus360.importing.values import Decision, ValueChoices
from tests.crm.importing.test_import import ADMIN_EMAIL, REP_EMAIL, principal


def answers(value: str, decision: Decision) -> ValueChoices:
    choices = ValueChoices()
    choices.choose("industry", value, decision)
    return choices


def test_the_same_columns_in_another_order_or_case_are_the_same_set() -> None:
    assert columns_key(["Account", " Sector "]) == columns_key(["sector", "ACCOUNT"])
    assert columns_key(["Account", "Sector"]) != columns_key(["Account", "Sector", "Country"])


def test_answers_are_recalled_merged_and_private(db) -> None:
    crm = db(Database.CRM)
    admin, rep = principal(db, ADMIN_EMAIL), principal(db, REP_EMAIL)
    set_actor(crm, admin)
    header = ["account", "sector"]
    remember(crm, user_id=admin.id, entity="companies", header=header,
             chosen=Remembered(mapping={"name": "account"}, decimal_mark=",",
                               choices=answers("technolgy", Decision(action="map", target=1, label="Software"))))
    remember(crm, user_id=admin.id, entity="companies", header=header,
             chosen=Remembered(mapping={"name": "account"}, choices=answers("medical", Decision(action="skip"))))

    recalled = recall(crm, user_id=admin.id, entity="companies", header=["Sector", "Account"])

    assert recalled.mapping == {"name": "account"} and recalled.decimal_mark is None  # the latest formats
    assert recalled.choices.decision("industry", "technolgy").target == 1  # earlier answers stay
    assert recalled.choices.decision("industry", "MEDICAL").action == "skip"
    assert recall(crm, user_id=admin.id, entity="deals", header=header) is None
    set_actor(crm, rep)
    assert crm.execute(select(IMPORT_CHOICES.c.user_id)).all() == []  # row-level security: only your own
    assert recall(crm, user_id=admin.id, entity="companies", header=header) is None
