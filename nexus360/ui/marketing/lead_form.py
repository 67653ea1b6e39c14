"""The lead form: add a lead or change one, with a warning before a second lead with the same email.

Every text field is limited on the widget to what its column holds; the company size has no min/max on the
widget (Streamlit would refuse -3 with only a red border) and is checked by the schema, which names the field.
"""

from __future__ import annotations

import streamlit as st

from nexus360.common.errors import ValidationError
from nexus360.common.validation import parse
from nexus360.db import Database
from nexus360.marketing.leads import service as lead_service
from nexus360.marketing.schemas import MAX_COMPANY_SIZE, LeadCreate, LeadRead, LeadUpdate
from nexus360.ui.confirm import duplicates_accepted
from nexus360.ui.formatting import literal
from nexus360.ui.reruns import clear_form, form_key, rerun_section, version_key
from nexus360.ui.session import FAILED, call, submit

NEW_FORM = "lead_form_new"


def _max(field: str) -> int:
    """The longest text `field` may hold (its column's length, as LeadCreate checks it)."""
    return next(rule.max_length for rule in LeadCreate.model_fields[field].metadata if hasattr(rule, "max_length"))


def lead_form(lead: LeadRead | None, campaigns: dict[int, str]) -> None:
    """The new-lead form (lead None; empty again after a save) or the edit form of `lead`."""
    key = version_key(f"lead_form_{lead.id}", lead) if lead else form_key(NEW_FORM)

    def text(column, title: str, field: str, **options) -> str:
        current = getattr(lead, field) if lead else None
        return column.text_input(title, value=current or "", max_chars=_max(field), key=f"{key}_{field}", **options)

    with st.form(key, border=False):
        email = text(st, "Email *", "email")
        first_col, last_col = st.columns(2)
        first_name = text(first_col, "First name", "first_name")
        last_name = text(last_col, "Last name", "last_name")
        company_col, title_col = st.columns(2)
        company_name = text(company_col, "Company", "company_name")
        job_title = text(title_col, "Job title", "job_title")
        phone_col, size_col = st.columns(2)
        phone = text(phone_col, "Phone", "phone", placeholder="+1 555 0100")
        company_size = size_col.number_input(
            "Company size (employees)", step=1, format="%d", value=lead.company_size if lead else None,
            placeholder="unknown", key=f"{key}_company_size",
            help=f"A whole number of employees, 0 to {MAX_COMPANY_SIZE:,}; scoring rules can give points by "
                 "company size. Leave empty if unknown.",
        )
        choices = [None, *campaigns]
        current = lead.campaign_id if lead else None
        campaign_id = st.selectbox("Campaign", choices, index=choices.index(current) if current in choices else 0,
                                   format_func=lambda c: campaigns.get(c, "—") if c else "—", key=f"{key}_campaign")
        button = "Save changes" if lead else "Create lead"
        saved = st.form_submit_button(button, type="primary", key=f"{key}_save")
    if not saved:
        return
    try:
        data = parse(LeadUpdate if lead else LeadCreate, email=email, first_name=first_name, last_name=last_name,
                     company_name=company_name, job_title=job_title, phone=phone, campaign_id=campaign_id,
                     company_size=company_size)
    except ValidationError as error:
        st.error(literal(error), icon=":material/error:")
        return
    duplicates = call(Database.MARKETING, lead_service.find_duplicate_leads, email=data.email,
                      exclude_id=lead.id if lead else None)
    warning = (f"A lead with {literal(data.email)} already exists ({len(duplicates)}). Press {button} again to "
               "keep both.")
    if not duplicates_accepted(key, duplicates, warning):
        return
    if lead is None:
        created = submit(Database.MARKETING, lead_service.create_lead, data=data)
        if created is FAILED:
            return
        st.toast(f"Added {literal(created.lead.email)} with score {created.lead.score}.",
                 icon=":material/check_circle:")
        clear_form(NEW_FORM)
    else:
        updated = submit(Database.MARKETING, lead_service.update_lead, lead_id=lead.id, data=data)
        if updated is FAILED:
            return
        st.toast(f"Saved {literal(updated.email)}.", icon=":material/check_circle:")
    rerun_section()  # the list, the heading and the score show the saved values
