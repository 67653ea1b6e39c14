"""The deal form, for a new deal and for changing one: limits stated in the widgets, every refusal named."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.errors import ValidationError
from nexus360.common.periods import today_utc
from nexus360.common.validation import parse
from nexus360.crm.deals import flows as deal_flows
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealCreate, DealRead, DealUpdate
from nexus360.db import Database
from nexus360.ui.confirm import duplicates_accepted
from nexus360.ui.crm.common import as_cents, clear_form, form_key, money_input
from nexus360.ui.crm.pickers import company_picker
from nexus360.ui.formatting import literal
from nexus360.ui.session import FAILED, call, submit_flow

TITLE_CHARACTERS = 255  # deals.title


def deal_form(principal: Principal, stages: dict[int, str], people_by_id: dict[int, str], *,
              deal: DealRead | None) -> DealRead | None:
    """Draw the form; on a successful save return the saved deal (a new deal's form is then empty again)."""
    base = f"deal_form_{deal.id if deal else 'new'}"
    key = form_key(base)
    company_id = company_picker(key, deal.company_id if deal else None)  # outside the form: it searches live
    with st.form(key):
        title = st.text_input("Title *", value=deal.title if deal else "", max_chars=TITLE_CHARACTERS)
        stage_ids = list(stages)
        stage_id = st.selectbox("Stage *", stage_ids, format_func=stages.get,
                                index=stage_ids.index(deal.stage_id) if deal else 0)
        amount = money_input("Amount ($)", deal.amount if deal else None, step=1000.0)
        close_date = st.date_input("Close date", value=deal.close_date if deal else today_utc() + timedelta(days=30),
                                   format="YYYY-MM-DD")
        owner_ids = list(people_by_id)
        current_owner = deal.owner_id if deal else principal.id
        owner_id = st.selectbox(
            "Owner *", owner_ids, format_func=people_by_id.get, disabled=not principal.has("crm.manage"),
            index=owner_ids.index(current_owner) if current_owner in owner_ids else 0,
            help=None if principal.has("crm.manage") else "Only a sales manager can give a deal to someone else.",
        )
        pressed = st.form_submit_button("Save changes" if deal else "Create deal", type="primary")
    if not pressed:
        return None
    saved = _save(deal, key, title=title, company_id=company_id, stage_id=stage_id, amount=as_cents(amount),
                  close_date=close_date, owner_id=owner_id if principal.has("crm.manage") else current_owner)
    if saved is not None and deal is None:
        clear_form(base)
    return saved


def _save(deal: DealRead | None, key: str, **values) -> DealRead | None:
    """Check every field at once (the message names each field that fails now), then save."""
    problems = []
    if values["company_id"] is None:
        problems.append("Company is required: search for it above the form and pick it.")
    try:
        data = parse(DealUpdate if deal else DealCreate, **{**values, "company_id": values["company_id"] or 0})
    except ValidationError as error:
        problems.append(str(error))
    if problems:
        st.error(" ".join(problems), icon=":material/error:")
        return None
    if deal is None:
        duplicates = call(Database.CRM, deal_service.find_duplicate_deals, title=data.title,
                          company_id=data.company_id)
        if not duplicates_accepted(key, duplicates, f"This company already has a deal called “{literal(data.title)}”. "
                                                    "Press Create deal again to add another one anyway."):
            return None
        saved = submit_flow(deal_flows.create_deal, data=data)
    else:
        saved = submit_flow(deal_flows.update_deal, deal_id=deal.id, data=data)
    return None if saved is FAILED else saved
