"""Deal rules: reps edit their own deals, `crm.manage` edits any and reassigns owners.

Owners live in the auth database, so writes that name an owner take an auth session too and check
the owner is an active user (no cross-database foreign key can).

Other domains read deals here, never through crm's models: compensation asks for the won deals of a
period (`list_won_deals`) and a rep's open deals (`list_open_deals`, `list_open_deals_as_won`). Those
reads are allowed to holders of `crm.read` and to those who may read commissions: a commission
statement is made of deals, so whoever may read it may read the deals it is made of and no more
(`commissions.read_all` or `commissions.manage`: every owner's; `commissions.read_own` alone: one's own).
Marketing's ROI report sums the deals converted leads became (`sum_deal_values`: crm.read or
marketing.read, since the report is marketing's and shows only sums).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require, require_any
from nexus360.auth.users import service as people
from nexus360.common.errors import AuthorizationError, NotFoundError, ValidationError
from nexus360.common.exporting import MAX_EXPORT_ROWS, ExportTooLarge
from nexus360.common.money import money_exact
from nexus360.common.pagination import PAGE_SIZE, Page
from nexus360.common.periods import now_utc
from nexus360.crm import repository as crm_repository
from nexus360.crm.deals import repository
from nexus360.crm.deals.schemas import (
    DealCreate,
    DealDetail,
    DealFilters,
    DealRead,
    DealUpdate,
    DealValues,
    OpenDeal,
    SlippingDeal,
    WonDeal,
)
from nexus360.crm.models import Deal
from nexus360.jobs import service as events
from nexus360.notifications import service as notifications

WON_STAGE_FALLBACK = "Closed Won"  # the stage name a projected win carries if no stage is marked won


def can_edit(principal: Principal, owner_id: int) -> bool:
    """May this user change a deal owned by `owner_id`?"""
    return principal.has("crm.manage") or (principal.has("crm.write") and owner_id == principal.id)


def list_deals(
    session: Session,
    principal: Principal,
    *,
    filters: DealFilters,
    after: tuple | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of deals by close date, filtered in SQL."""
    require(principal, "crm.read")
    return repository.list_deals(session, filters, after=after, limit=limit)


def get_deal(session: Session, principal: Principal, *, deal_id: int) -> DealDetail:
    """One deal with its stage history (oldest first)."""
    require(principal, "crm.read")
    deal = _deal(session, deal_id)
    return DealDetail(
        deal=DealRead.model_validate(deal),
        stage=crm_repository.get_stage(session, deal.stage_id).name,
        company=crm_repository.get_company(session, deal.company_id).name,
        history=repository.stage_history(session, deal_id),
    )


def get_deal_titles(session: Session, principal: Principal, *, deal_ids: tuple[int, ...]) -> dict[int, str]:
    """Titles of the given deals, for pages that only hold deal ids (commission statement lines)."""
    require(principal, "crm.read")
    return repository.deal_titles(session, sorted({int(deal_id) for deal_id in deal_ids}))


def find_duplicate_deals(
    session: Session, principal: Principal, *, title: str, company_id: int, exclude_id: int | None = None
) -> list[tuple[int, str]]:
    """Deals of the same company with the same title: shown as a warning before saving."""
    require(principal, "crm.read")
    return repository.find_similar_deals(session, title=title, company_id=company_id, exclude_id=exclude_id)


def create_deal(session: Session, principal: Principal, *, data: DealCreate, auth_session: Session,
                notes: Session) -> DealRead:
    """Create a deal; a rep creates their own, `crm.manage` may give it to any active user (who is told:
    the notifications session comes from `crm.deals.flows`)."""
    require(principal, "crm.write")
    if data.owner_id != principal.id:
        require(principal, "crm.manage")
    _check_references(session, auth_session, principal, data)
    deal = Deal(**data.model_dump())
    session.add(deal)
    session.flush()
    repository.add_stage_change(
        session, deal_id=deal.id, from_stage_id=None, to_stage_id=deal.stage_id, user_id=principal.id
    )
    session.flush()
    events.record_event(session, "deal.created", DealRead.model_validate(deal).model_dump(mode="json"))
    _tell(session, notes, principal, deal, owner=None, stage=None)
    return DealRead.model_validate(deal)


def update_deal(
    session: Session, principal: Principal, *, deal_id: int, data: DealUpdate, auth_session: Session, notes: Session
) -> DealRead:
    """Change a deal (own deals with crm.write, any with crm.manage); stage moves are recorded, and a new
    owner, or an owner whose deal someone else won or lost, is told."""
    require(principal, "crm.write")
    deal = _editable_deal(session, principal, deal_id)
    if data.owner_id != deal.owner_id:
        require(principal, "crm.manage")
    _check_references(session, auth_session, principal, data)
    previous_stage, previous_owner = deal.stage_id, deal.owner_id
    for name, value in data.model_dump().items():
        setattr(deal, name, value)
    _record_move(session, principal, deal, previous_stage)
    _tell(session, notes, principal, deal, owner=previous_owner, stage=previous_stage)
    return DealRead.model_validate(deal)


def move_deal_stage(session: Session, principal: Principal, *, deal_id: int, stage_id: int,
                    notes: Session) -> DealRead:
    """Move a deal to another stage (the pipeline board); the move is recorded, and an owner whose deal
    someone else won or lost is told."""
    require(principal, "crm.write")
    deal = _editable_deal(session, principal, deal_id)
    if crm_repository.get_stage(session, stage_id) is None:
        raise ValidationError(f"Stage {stage_id} does not exist.")
    previous_stage = deal.stage_id
    deal.stage_id = stage_id
    _record_move(session, principal, deal, previous_stage)
    _tell(session, notes, principal, deal, owner=deal.owner_id, stage=previous_stage)
    return DealRead.model_validate(deal)


def delete_deal(session: Session, principal: Principal, *, deal_id: int) -> None:
    """Delete a deal and its stage history (permission crm.manage)."""
    require(principal, "crm.manage")
    repository.delete_deal(session, _deal(session, deal_id))
    session.flush()


def get_board(session: Session, principal: Principal, *, owner_ids: tuple[int, ...] = ()) -> pd.DataFrame:
    """Open stages in pipeline order with their deal counts and totals: stage_id, stage, deals, amount."""
    require(principal, "crm.read")
    return pd.DataFrame(repository.board_totals(session, owner_ids), columns=["stage_id", "stage", "deals", "amount"])


BOARD_CARDS = ["id", "title", "company", "amount", "close_date", "owner_id", "stage_id"]


def get_board_cards(
    session: Session, principal: Principal, *, owner_ids: tuple[int, ...] = (), per_stage: int = 6
) -> pd.DataFrame:
    """The first `per_stage` open deals of each open stage by close date (id, title, company, amount,
    close_date, owner_id, stage_id), in pipeline order."""
    require(principal, "crm.read")
    if not 1 <= per_stage <= 50:
        raise ValidationError(f"Show between 1 and 50 deals per stage (not {per_stage}).")
    return pd.DataFrame(repository.board_cards(session, tuple(owner_ids), per_stage), columns=BOARD_CARDS)


def _deal(session: Session, deal_id: int, *, lock: bool = False) -> Deal:
    deal = repository.get_deal(session, deal_id, lock=lock)
    if deal is None:
        raise NotFoundError(f"Deal {deal_id} does not exist (it may have been deleted).")
    return deal


def _editable_deal(session: Session, principal: Principal, deal_id: int) -> Deal:
    deal = _deal(session, deal_id, lock=True)  # lock: two people moving one deal record both moves in order
    if not can_edit(principal, deal.owner_id):
        raise AuthorizationError("crm.manage", user_email=principal.email)
    return deal


def _record_move(session: Session, principal: Principal, deal: Deal, previous_stage: int) -> None:
    session.flush()
    if deal.stage_id != previous_stage:
        repository.add_stage_change(
            session, deal_id=deal.id, from_stage_id=previous_stage, to_stage_id=deal.stage_id, user_id=principal.id
        )
        session.flush()
        stage = crm_repository.get_stage(session, deal.stage_id)  # won or lost: an outgoing webhook event
        if stage is not None and (stage.is_won or stage.is_lost):
            events.record_event(session, "deal.won" if stage.is_won else "deal.lost",
                                DealRead.model_validate(deal).model_dump(mode="json"))


# --- telling owners (issue 17) ------------------------------------------------------------------------------


def _tell(session: Session, notes: Session, principal: Principal, deal: Deal, *, owner: int | None,
          stage: int | None) -> None:
    """A deal someone else gave its owner, or won or lost for them: one notification event."""
    if deal.owner_id == principal.id:
        return
    current = crm_repository.get_stage(session, deal.stage_id)
    if deal.owner_id != owner:
        type = "deal_assigned"
    elif deal.stage_id != stage and (current.is_won or current.is_lost):
        type = "deal_won" if current.is_won else "deal_lost"
    else:
        return
    notifications.notify_event(notes, principal, type=type, recipients=[deal.owner_id], data={"deal": {
        "id": deal.id, "title": deal.title, "company": crm_repository.get_company(session, deal.company_id).name,
        "amount": money_exact(deal.amount), "stage": current.name, "close_date": deal.close_date,
    }}, key=f"deal:{deal.id}:{type}:{deal.owner_id}:{now_utc():%Y%m%dT%H%M%S%f}")


def list_slipping_deals(session: Session, principal: Principal, *, since: date, before: date) -> list[SlippingDeal]:
    """Open deals whose expected close date is in [since, before): the daily "slipping" notifications."""
    require(principal, "crm.read")
    return repository.slipping_deals(session, since=since, before=before)


def _check_references(session: Session, auth_session: Session, principal: Principal, data: DealCreate) -> None:
    if crm_repository.get_stage(session, data.stage_id) is None:
        raise ValidationError(f"Stage {data.stage_id} does not exist.")
    if crm_repository.get_company(session, data.company_id) is None:
        raise ValidationError(f"Company {data.company_id} does not exist.")
    if data.contact_id is not None:
        contact = crm_repository.get_contact(session, data.contact_id)
        if contact is None:
            raise ValidationError(f"Contact {data.contact_id} does not exist.")
        if contact.company_id is not None and contact.company_id != data.company_id:
            raise ValidationError("The contact works for another company; pick one of this company's contacts.")
    if data.owner_id not in people.active_user_ids(auth_session, principal, user_ids=[data.owner_id]):
        raise ValidationError("The owner must be an active user.")


def export_deals(session: Session, principal: Principal, *, filters: DealFilters) -> pd.DataFrame:
    """Every deal the filters select (up to the export limit), for CSV or Excel."""
    require(principal, "crm.read")
    columns, rows = crm_repository.export_rows(
        session, repository.deal_list_statement(filters), order_by=(repository.close_key(), Deal.id),
        limit=MAX_EXPORT_ROWS,
    )
    if len(rows) > MAX_EXPORT_ROWS:
        raise ExportTooLarge(f"More than {MAX_EXPORT_ROWS:,} deals match these filters; narrow them to export.")
    return pd.DataFrame(rows, columns=columns).drop(columns=["close_key"])


# --- reads for other domains (compensation) --------------------------------------------------------------

_EVERY_OWNER = ("crm.read", "commissions.read_all", "commissions.manage")
_OWN = ("commissions.read_own",)


def _require_deal_reader(principal: Principal, owner_id: int | None) -> None:
    """crm.read, commissions.read_all or commissions.manage: any owner; commissions.read_own: oneself."""
    if owner_id is not None and owner_id == principal.id:
        require_any(principal, *_EVERY_OWNER, *_OWN)
    else:
        require_any(principal, *_EVERY_OWNER)


def list_won_deals(
    session: Session, principal: Principal, *, start: date, end: date, owner_id: int | None = None
) -> dict[int, list[WonDeal]]:
    """Won deals with an amount closed start..end (inclusive), per owner id, each by close date then id.

    Every owner's for holders of crm.read, commissions.read_all or commissions.manage (a commission run);
    a holder of commissions.read_own alone gets their own only (as if `owner_id` were theirs).
    `owner_id` narrows the read to one owner. Owners without wins are absent.
    """
    if end < start:
        raise ValidationError("The period must not end before it starts.")
    if owner_id is None and principal.is_active and not any(principal.has(p) for p in _EVERY_OWNER):
        owner_id = principal.id
    _require_deal_reader(principal, owner_id)
    deals: dict[int, list[WonDeal]] = defaultdict(list)
    for deal in repository.won_deals(session, start=start, end=end, owner_id=owner_id):
        deals[deal.owner_id].append(deal)
    return dict(deals)


def list_open_deals(
    session: Session, principal: Principal, *, owner_id: int, deal_ids: list[int] | None = None,
    limit: int | None = None,
) -> list[OpenDeal]:
    """The owner's open deals (neither won nor lost) that have an amount, by expected close date (none last);
    the first `limit` of them if given.

    `deal_ids` keeps only those deals (ids that are not the owner's open deals are left out, so a caller
    can tell by the count). One's own: crm.read or commissions.read_own/read_all/manage; anyone's: crm.read,
    commissions.read_all or commissions.manage.
    """
    _require_deal_reader(principal, owner_id)
    return repository.open_deals(session, owner_id=owner_id, deal_ids=None if deal_ids is None else list(deal_ids),
                                 limit=limit)


def get_first_won_date(session: Session, principal: Principal) -> date | None:
    """The close date of the earliest won deal (None before the first win): no commission is earned before it.
    Permissions as list_won_deals for every owner."""
    require_any(principal, *_EVERY_OWNER)
    return repository.first_won_close_date(session)


def list_open_deals_as_won(
    session: Session, principal: Principal, *, owner_id: int, deal_ids: list[int], close_date: date
) -> list[WonDeal]:
    """The owner's chosen open deals as they would be read had they been won on `close_date` (the what-if).

    Each carries the first won stage's name, and is its company's first win when the company has no
    won deal yet. Ids that are not the owner's open deals with an amount are left out. Permissions as
    list_open_deals.
    """
    deals = list_open_deals(session, principal, owner_id=owner_id, deal_ids=deal_ids)
    stage = repository.first_won_stage_name(session) or WON_STAGE_FALLBACK
    won_before = repository.companies_with_wins(session, {deal.company_id for deal in deals})
    return [
        WonDeal(id=deal.id, owner_id=owner_id, amount=deal.amount, close_date=close_date, stage=stage,
                industry_id=deal.industry_id, country_id=deal.country_id,
                is_new_customer=deal.company_id not in won_before)
        for deal in deals
    ]


def sum_deal_values(
    session: Session, principal: Principal, *, deal_ids_by_key: dict[int, list[int]]
) -> dict[int, DealValues]:
    """For each key, what its deals are worth: open amount, won amount and won deals (unknown ids count nothing).

    Keys without a deal that exists are absent. crm.read or marketing.read.
    """
    require_any(principal, "crm.read", "marketing.read")
    return repository.deal_values(session, {key: list(ids) for key, ids in deal_ids_by_key.items()})
