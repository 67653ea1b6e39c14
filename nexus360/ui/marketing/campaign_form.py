"""The campaign form: create a campaign or edit one, with a warning before a second campaign of the same name.

Limits are stated on the widgets (name length, what the budget may be) and checked by the schema, so a
refusal names the field and says why, for the input as it is now. The budget has no min/max on the widget:
Streamlit would refuse -100 there with only a red border and a tooltip, and the form would not submit.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import streamlit as st

from nexus360.common.errors import ValidationError
from nexus360.common.periods import today_utc
from nexus360.common.validation import parse
from nexus360.db import Database
from nexus360.marketing.campaigns import service as campaign_service
from nexus360.marketing.campaigns.service import TRANSITIONS
from nexus360.marketing.schemas import CAMPAIGN_NAME_MAX, CAMPAIGN_TYPES, CampaignCreate, CampaignRead, CampaignUpdate
from nexus360.ui.confirm import duplicates_accepted
from nexus360.ui.formatting import literal
from nexus360.ui.reruns import clear_form, form_key, rerun_section, version_key
from nexus360.ui.session import FAILED, call, submit

NEW_FORM = "campaign_form_new"
BUDGET_HELP = "In dollars and cents, 0 or more (up to $9,999,999,999,999.99). Leave empty for no budget."


def label(value: str | None) -> str:
    """'paid_search' -> 'Paid search': how a type or status reads on screen."""
    return (value or "–").replace("_", " ").capitalize()


def campaign_form(campaign: CampaignRead | None) -> None:
    """The new-campaign form (campaign None; empty again after a create) or the edit form of `campaign`."""
    key = version_key(f"campaign_form_{campaign.id}", campaign) if campaign else form_key(NEW_FORM)
    today = today_utc()
    with st.form(key, border=False):
        name = st.text_input("Name *", value=campaign.name if campaign else "", max_chars=CAMPAIGN_NAME_MAX,
                             key=f"{key}_name", help=f"Up to {CAMPAIGN_NAME_MAX} characters.")
        type_col, status_col = st.columns(2)
        types = list(CAMPAIGN_TYPES)
        type_ = type_col.selectbox("Type *", types, format_func=label, key=f"{key}_type",
                                   index=types.index(campaign.type) if campaign and campaign.type in types else 0)
        # A new campaign starts planned; an edit may keep the status or take one of its allowed moves.
        statuses = [campaign.status, *TRANSITIONS.get(campaign.status, ())] if campaign else ["planned", "active"]
        status = status_col.selectbox("Status", statuses, format_func=label, key=f"{key}_status")
        start_col, end_col = st.columns(2)
        start = start_col.date_input("Start date", value=campaign.start_date if campaign else today,
                                     min_value=today - timedelta(days=3650), key=f"{key}_start")
        end = end_col.date_input("End date", value=campaign.end_date if campaign else today + timedelta(days=30),
                                 min_value=today - timedelta(days=3650), key=f"{key}_end",
                                 help="On or after the start date.")
        budget = st.number_input(
            "Budget ($)", value=float(campaign.budget) if campaign and campaign.budget is not None else None,
            step=1000.0, format="%.2f", placeholder="no budget", key=f"{key}_budget", help=BUDGET_HELP,
        )
        button = "Save changes" if campaign else "Create campaign"
        saved = st.form_submit_button(button, type="primary", key=f"{key}_save")
    if not saved:
        return
    try:
        data = parse(CampaignUpdate if campaign else CampaignCreate, name=name, type=type_, status=status,
                     start_date=start, end_date=end, budget=_decimal(budget))
    except ValidationError as error:
        st.error(literal(error), icon=":material/error:")
        return
    renamed = campaign is None or data.name.lower() != campaign.name.lower()
    duplicates = call(Database.MARKETING, campaign_service.find_duplicate_campaigns, name=data.name,
                      exclude_id=campaign.id if campaign else None) if renamed else []
    warning = (f"A campaign called {literal(data.name)} already exists. Press {button} again to "
               f"{'create another one of that name' if campaign is None else 'keep both names the same'}.")
    if not duplicates_accepted(key, duplicates, warning):
        return
    if campaign is None:
        result = submit(Database.MARKETING, campaign_service.create_campaign, data=data)
    else:
        result = submit(Database.MARKETING, campaign_service.update_campaign, campaign_id=campaign.id, data=data)
    if result is FAILED:
        return
    st.toast(f"{'Saved' if campaign else 'Created'} {literal(result.name)}.", icon=":material/check_circle:")
    if campaign is None:
        clear_form(NEW_FORM)  # a second press of Create must not make the same campaign again
    rerun_section()  # the list, the heading and the history show the saved values


def _decimal(value: float | None) -> Decimal | None:
    """The typed number as the decimal it reads as (12345.67, not the float's binary neighbour)."""
    return None if value is None else Decimal(repr(value))
