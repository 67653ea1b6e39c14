"""The deal list's search finds the same deals whichever plan it takes (few matches: by their ids; many: in
list order), by title or by company name, with the other filters still applied."""

from __future__ import annotations

import pytest

from nexus360.crm.deals import repository
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealFilters
from nexus360.crm.models import Company
from nexus360.db import Database
from tests.crm.conftest import OTHER_REP_ID, REP_ID
from tests.crm.deals.test_deals import new_deal


@pytest.fixture
def planted(db, crm, auth, rep, manager) -> dict[str, int]:
    other = Company(name="Zephyrquill Holdings", domain="zephyrquill.example")
    crm.add(other)
    crm.flush()
    made = {}
    for name, company_id, owner in (("Zephyrquill renewal", 1, REP_ID), ("Plain deal", other.id, REP_ID),
                                    ("Zephyrquill upsell", 1, OTHER_REP_ID)):
        made[name] = deal_service.create_deal(crm, manager, auth_session=auth, notes=db(Database.NOTIFICATIONS),
                                              data=new_deal(company_id, owner, title=name)).id
    return made


@pytest.mark.parametrize("probe", [2_000, 0], ids=["few matches: by ids", "many matches: in list order"])
def test_search_finds_by_title_and_company_either_way(crm, manager, planted, monkeypatch, probe: int) -> None:
    monkeypatch.setattr(repository, "SEARCH_PROBE", probe)

    found = deal_service.list_deals(crm, manager, filters=DealFilters(search="zephyrQUILL")).rows
    assert set(found["id"]) == set(planted.values())
    mine = deal_service.list_deals(crm, manager, filters=DealFilters(search="zephyrquill", owner_ids=(REP_ID,))).rows
    assert set(mine["title"]) == {"Zephyrquill renewal", "Plain deal"}
    assert deal_service.list_deals(crm, manager, filters=DealFilters(search="zephyrquill%")).rows.empty
