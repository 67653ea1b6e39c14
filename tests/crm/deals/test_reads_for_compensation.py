"""What compensation reads of deals through crm.deals.service: won deals of a period, a rep's open deals,
and those open deals as they would be read had they been won (the what-if); who may read them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from nexus360.auth.schemas import Principal
from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import OpenDeal, WonDeal
from nexus360.crm.models import Company, Deal, DealStage
from tests.crm.conftest import MANAGER_ID, principal

REP_A, REP_B = 900201, 900202  # planted owners with no demo deals
START, END = date(2031, 1, 1), date(2031, 3, 31)


def only(user_id: int, *permissions: str) -> Principal:
    return Principal(id=user_id, email=f"user{user_id}@nexus360.example.com", roles=(),
                     permissions=frozenset(permissions))


@pytest.fixture
def book(crm) -> dict:
    stages = {stage.name: stage for stage in crm.scalars(select(DealStage).order_by(DealStage.position))}
    won = next(stage for stage in stages.values() if stage.is_won)
    lost = next(stage for stage in stages.values() if stage.is_lost)
    first_open = next(stage for stage in stages.values() if not stage.is_won and not stage.is_lost)
    returning = Company(name="Planted Returning Ltd", industry_id=1, country_id=2)
    fresh = Company(name="Planted Fresh Ltd", industry_id=2, country_id=1)
    crm.add_all([returning, fresh])
    crm.flush()
    planted = {
        "before": (REP_B, won, "5000", date(2030, 12, 1), returning),  # an earlier win of `returning`
        "a1": (REP_A, won, "60000", date(2031, 1, 10), fresh),  # fresh's first win
        "a2": (REP_A, won, "70000", date(2031, 2, 20), fresh),  # fresh's second
        "a3": (REP_A, won, "1000", date(2031, 2, 20), returning),
        "a_lost": (REP_A, lost, "50000", date(2031, 3, 1), fresh),
        "a_no_amount": (REP_A, won, None, date(2031, 3, 2), fresh),
        "a_next": (REP_A, won, "10000", date(2031, 4, 1), fresh),
        "b1": (REP_B, won, "20000", date(2031, 3, 31), returning),
        "a_open": (REP_A, first_open, "9000", date(2031, 5, 1), fresh),
        "a_open_undated": (REP_A, first_open, "8000", None, returning),
        "a_open_no_amount": (REP_A, first_open, None, date(2031, 5, 2), fresh),
        "b_open": (REP_B, first_open, "7000", date(2031, 5, 3), fresh),
    }
    deals = {key: Deal(title=key, company_id=company.id, owner_id=owner, stage_id=stage.id,
                       amount=None if amount is None else Decimal(amount), close_date=close)
             for key, (owner, stage, amount, close, company) in planted.items()}
    crm.add_all(deals.values())
    crm.flush()
    return {"deals": deals, "won": won, "returning": returning, "fresh": fresh}


def test_won_deals_of_a_period_per_owner_with_first_wins(crm, book) -> None:
    deals, won, fresh, returning = book["deals"], book["won"], book["fresh"], book["returning"]
    manager = principal(MANAGER_ID, "sales_manager")
    by_owner = deal_service.list_won_deals(crm, manager, start=START, end=END)
    planted = {owner: rows for owner, rows in by_owner.items() if owner in (REP_A, REP_B)}
    assert planted == {
        REP_A: [
            WonDeal(id=deals["a1"].id, owner_id=REP_A, amount=Decimal("60000.00"), close_date=date(2031, 1, 10),
                    stage=won.name, industry_id=fresh.industry_id, country_id=fresh.country_id,
                    is_new_customer=True),
            WonDeal(id=deals["a2"].id, owner_id=REP_A, amount=Decimal("70000.00"), close_date=date(2031, 2, 20),
                    stage=won.name, industry_id=fresh.industry_id, country_id=fresh.country_id,
                    is_new_customer=False),
            WonDeal(id=deals["a3"].id, owner_id=REP_A, amount=Decimal("1000.00"), close_date=date(2031, 2, 20),
                    stage=won.name, industry_id=returning.industry_id, country_id=returning.country_id,
                    is_new_customer=False),
        ],
        REP_B: [
            WonDeal(id=deals["b1"].id, owner_id=REP_B, amount=Decimal("20000.00"), close_date=date(2031, 3, 31),
                    stage=won.name, industry_id=returning.industry_id, country_id=returning.country_id,
                    is_new_customer=False),
        ],
    }


def test_won_deals_narrowed_to_one_owner_and_checked(crm, book) -> None:
    manager = principal(MANAGER_ID, "sales_manager")
    mine = deal_service.list_won_deals(crm, manager, start=START, end=END, owner_id=REP_B)
    assert list(mine) == [REP_B] and [deal.id for deal in mine[REP_B]] == [book["deals"]["b1"].id]
    with pytest.raises(ValidationError):
        deal_service.list_won_deals(crm, manager, start=END, end=START)


def test_who_may_read_won_deals(crm, book) -> None:
    everyone = {REP_A, REP_B}
    for permission in ("crm.read", "commissions.read_all", "commissions.manage"):
        assert everyone <= set(deal_service.list_won_deals(crm, only(REP_A, permission), start=START, end=END))
    # commissions.read_own alone: one's own deals, whatever was asked
    own = only(REP_A, "commissions.read_own")
    assert list(deal_service.list_won_deals(crm, own, start=START, end=END)) == [REP_A]
    assert list(deal_service.list_won_deals(crm, own, start=START, end=END, owner_id=REP_A)) == [REP_A]
    with pytest.raises(AuthorizationError):
        deal_service.list_won_deals(crm, own, start=START, end=END, owner_id=REP_B)
    with pytest.raises(AuthorizationError):
        deal_service.list_won_deals(crm, only(REP_A, "marketing.read"), start=START, end=END)


def test_open_deals_of_an_owner_by_expected_close(crm, book) -> None:
    deals, fresh, returning = book["deals"], book["fresh"], book["returning"]
    rep = only(REP_A, "commissions.read_own")
    rows = deal_service.list_open_deals(crm, rep, owner_id=REP_A)
    assert rows == [
        OpenDeal(id=deals["a_open"].id, title="a_open", amount=Decimal("9000.00"), close_date=date(2031, 5, 1),
                 industry_id=fresh.industry_id, country_id=fresh.country_id, company_id=fresh.id),
        OpenDeal(id=deals["a_open_undated"].id, title="a_open_undated", amount=Decimal("8000.00"), close_date=None,
                 industry_id=returning.industry_id, country_id=returning.country_id, company_id=returning.id),
    ]
    chosen = [deals["a_open_undated"].id, deals["b_open"].id, deals["a1"].id]  # not REP_A's, not open
    assert [row.id for row in deal_service.list_open_deals(crm, rep, owner_id=REP_A, deal_ids=chosen)] == [chosen[0]]
    assert deal_service.list_open_deals(crm, rep, owner_id=REP_A, deal_ids=[]) == []


def test_who_may_read_open_deals(crm, book) -> None:
    for permission in ("crm.read", "commissions.read_all", "commissions.manage"):
        assert deal_service.list_open_deals(crm, only(REP_B, permission), owner_id=REP_A)
    with pytest.raises(AuthorizationError):
        deal_service.list_open_deals(crm, only(REP_B, "commissions.read_own"), owner_id=REP_A)
    with pytest.raises(AuthorizationError):
        deal_service.list_open_deals(crm, only(REP_A, "marketing.read"), owner_id=REP_A)


def test_open_deals_as_won_on_a_day(crm, book) -> None:
    deals, won, fresh, returning = book["deals"], book["won"], book["fresh"], book["returning"]
    rep = only(REP_A, "commissions.read_own")
    day = date(2031, 4, 15)
    chosen = [deals["a_open"].id, deals["a_open_undated"].id, deals["b_open"].id]
    projected = deal_service.list_open_deals_as_won(crm, rep, owner_id=REP_A, deal_ids=chosen, close_date=day)
    # fresh has wins (a1, a2, a_next), returning too: neither would be a first win
    assert projected == [
        WonDeal(id=deals["a_open"].id, owner_id=REP_A, amount=Decimal("9000.00"), close_date=day, stage=won.name,
                industry_id=fresh.industry_id, country_id=fresh.country_id, is_new_customer=False),
        WonDeal(id=deals["a_open_undated"].id, owner_id=REP_A, amount=Decimal("8000.00"), close_date=day,
                stage=won.name, industry_id=returning.industry_id, country_id=returning.country_id,
                is_new_customer=False),
    ]
    newcomer = Company(name="Planted Newcomer Ltd")
    crm.add(newcomer)
    crm.flush()
    deals["a_open"].company_id = newcomer.id
    crm.flush()
    first = deal_service.list_open_deals_as_won(crm, rep, owner_id=REP_A, deal_ids=chosen[:1], close_date=day)
    assert [(deal.is_new_customer, deal.industry_id) for deal in first] == [(True, None)]
