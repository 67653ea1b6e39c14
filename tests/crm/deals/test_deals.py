"""Deals: who may edit what, owner checks across databases, stage history, the board."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.common.validation import parse
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealCreate, DealFilters, DealUpdate
from nexus360.db import Database
from tests.crm.conftest import INACTIVE_REP_ID, OTHER_REP_ID, REP_ID

PROSPECTING, PROPOSAL, WON = 1, 4, 6


@pytest.fixture
def sessions(auth, db) -> dict:
    """What a deal write takes beside the CRM session: the auth session (owner checks) and the
    notifications session (the owner is told), as `crm.deals.flows` passes them."""
    return {"auth_session": auth, "notes": db(Database.NOTIFICATIONS)}


def new_deal(company_id: int, owner_id: int = REP_ID, **changes) -> DealCreate:
    values = {
        "title": "Planted deal",
        "company_id": company_id,
        "stage_id": PROSPECTING,
        "amount": Decimal("12000"),
        "close_date": date(2026, 12, 15),
        "owner_id": owner_id,
    }
    return DealCreate(**{**values, **changes})


def test_amount_must_not_be_negative() -> None:
    with pytest.raises(ValidationError, match="^Amount must not be negative.$"):
        parse(DealCreate, title="x", company_id=1, stage_id=1, owner_id=7, amount=Decimal("-1"))


def test_rep_creates_own_deal_and_its_first_history_row(crm, sessions, rep, company) -> None:
    deal = deal_service.create_deal(crm, rep, data=new_deal(company.id), **sessions)
    detail = deal_service.get_deal(crm, rep, deal_id=deal.id)
    assert detail.stage == "Prospecting"
    assert [(h[1], h[2], h[3]) for h in detail.history] == [(None, "Prospecting", REP_ID)]


def test_rep_cannot_create_a_deal_for_someone_else(crm, sessions, rep, company) -> None:
    with pytest.raises(AuthorizationError, match="crm.manage"):
        deal_service.create_deal(crm, rep, data=new_deal(company.id, owner_id=OTHER_REP_ID), **sessions)


def test_owner_must_be_an_active_user(crm, sessions, manager, company) -> None:
    for owner in (INACTIVE_REP_ID, 987654):
        with pytest.raises(ValidationError, match="active user"):
            deal_service.create_deal(crm, manager, data=new_deal(company.id, owner_id=owner), **sessions)


def test_contact_must_belong_to_the_deals_company(crm, sessions, rep, company) -> None:
    from nexus360.crm.models import Company, Contact

    other = Company(name="Elsewhere Ltd")
    crm.add(other)
    crm.flush()
    stranger = Contact(company_id=other.id, email="x@elsewhere.example")
    crm.add(stranger)
    crm.flush()
    with pytest.raises(ValidationError, match="another company"):
        deal_service.create_deal(crm, rep, data=new_deal(company.id, contact_id=stranger.id), **sessions)


def test_stage_moves_are_recorded_with_who_and_from_where(crm, sessions, rep, company) -> None:
    deal = deal_service.create_deal(crm, rep, data=new_deal(company.id), **sessions)
    deal_service.move_deal_stage(crm, rep, deal_id=deal.id, stage_id=PROPOSAL, notes=sessions["notes"])
    deal_service.update_deal(
        crm, rep, deal_id=deal.id, data=DealUpdate(**new_deal(company.id, stage_id=WON).model_dump()), **sessions
    )
    history = deal_service.get_deal(crm, rep, deal_id=deal.id).history
    assert [(h[1], h[2]) for h in history] == [
        (None, "Prospecting"),
        ("Prospecting", "Proposal"),
        ("Proposal", "Closed Won"),
    ]


def test_an_edit_without_a_stage_change_adds_no_history(crm, sessions, rep, company) -> None:
    deal = deal_service.create_deal(crm, rep, data=new_deal(company.id), **sessions)
    deal_service.update_deal(
        crm, rep, deal_id=deal.id, data=DealUpdate(**new_deal(company.id, amount=5).model_dump()), **sessions
    )
    assert len(deal_service.get_deal(crm, rep, deal_id=deal.id).history) == 1


def test_rep_cannot_edit_another_reps_deal_but_a_manager_can_and_may_reassign(
    crm, sessions, rep, manager, company
) -> None:
    deal = deal_service.create_deal(crm, manager, data=new_deal(company.id, owner_id=OTHER_REP_ID), **sessions)
    with pytest.raises(AuthorizationError):
        deal_service.move_deal_stage(crm, rep, deal_id=deal.id, stage_id=PROPOSAL, notes=sessions["notes"])
    reassigned = deal_service.update_deal(
        crm,
        manager,
        deal_id=deal.id,
        data=DealUpdate(**new_deal(company.id, owner_id=REP_ID).model_dump()),
        **sessions,
    )
    assert reassigned.owner_id == REP_ID


def test_rep_cannot_reassign_their_own_deal(crm, sessions, rep, company) -> None:
    deal = deal_service.create_deal(crm, rep, data=new_deal(company.id), **sessions)
    with pytest.raises(AuthorizationError, match="crm.manage"):
        deal_service.update_deal(
            crm,
            rep,
            deal_id=deal.id,
            data=DealUpdate(**new_deal(company.id, owner_id=OTHER_REP_ID).model_dump()),
            **sessions,
        )


def test_moving_to_an_unknown_stage_changes_nothing(crm, sessions, rep, company) -> None:
    deal = deal_service.create_deal(crm, rep, data=new_deal(company.id), **sessions)
    with pytest.raises(ValidationError, match="Stage 999"):
        deal_service.move_deal_stage(crm, rep, deal_id=deal.id, stage_id=999, notes=sessions["notes"])


def test_board_totals_follow_a_move(crm, sessions, rep, company) -> None:
    deal = deal_service.create_deal(crm, rep, data=new_deal(company.id, owner_id=REP_ID), **sessions)
    before = deal_service.get_board(crm, rep, owner_ids=(REP_ID,)).set_index("stage")
    deal_service.move_deal_stage(crm, rep, deal_id=deal.id, stage_id=PROPOSAL, notes=sessions["notes"])
    after = deal_service.get_board(crm, rep, owner_ids=(REP_ID,)).set_index("stage")
    assert after.at["Prospecting", "deals"] == before.at["Prospecting", "deals"] - 1
    assert after.at["Proposal", "deals"] == before.at["Proposal", "deals"] + 1
    assert after.at["Proposal", "amount"] == pytest.approx(before.at["Proposal", "amount"] + 12000)


def test_deal_list_filters_and_pages(crm, rep) -> None:
    filters = DealFilters(owner_ids=(REP_ID,), open_only=True)
    first = deal_service.list_deals(crm, rep, filters=filters, limit=5)
    second = deal_service.list_deals(crm, rep, filters=filters, limit=5, after=first.next_after)
    assert set(first.rows["owner_id"]) == {REP_ID}
    assert set(first.rows["id"]).isdisjoint(second.rows["id"])
    assert first.rows["close_key"].iloc[-1] <= second.rows["close_key"].iloc[0]


def test_only_managers_delete_deals(crm, sessions, rep, manager, company) -> None:
    deal = deal_service.create_deal(crm, rep, data=new_deal(company.id), **sessions)
    with pytest.raises(AuthorizationError):
        deal_service.delete_deal(crm, rep, deal_id=deal.id)
    deal_service.delete_deal(crm, manager, deal_id=deal.id)
    with pytest.raises(Exception, match="does not exist"):
        deal_service.get_deal(crm, manager, deal_id=deal.id)
