"""Handing a qualified lead to sales: the form, the confirmation, and what the conversion created or reused.

The conversion itself (`marketing.flows.convert_lead`) opens its own sessions in several databases and is
safe to retry, so the page calls it directly and simply shows its result; pressing Convert twice is harmless.
What the lead became is shown by name, each a link to the record on the CRM page (its deep links,
/crm?crm_tab=Deals&deal=…, see docs/architecture.md).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import streamlit as st

from nexus360.auth.users import service as people
from nexus360.common.periods import today_utc
from nexus360.crm import service as crm_service
from nexus360.db import Database
from nexus360.marketing import flows
from nexus360.marketing.leads import service as lead_service
from nexus360.marketing.schemas import ConversionRequest, ConversionResult, CrmRecord, LeadRead
from nexus360.ui.formatting import literal
from nexus360.ui.navigation import PAGES_DIR
from nexus360.ui.reruns import rerun_section
from nexus360.ui.session import FAILED, cached, current_principal, submit_flow

DEAL_OWNER_ROLES = flows.DEAL_OWNER_ROLES  # whom the conversion accepts as a deal owner
DEAL_NAME_MAX = 255  # deals.title
# The CRM page's tab and query parameter of each kind of record (its deep links).
CRM_LINKS = {"company": ("Companies", "company"), "contact": ("Contacts", "contact"), "deal": ("Deals", "deal")}
CRM_ICONS = {"company": ":material/domain:", "contact": ":material/person:", "deal": ":material/handshake:"}


def deal_owners() -> dict[int, str]:
    """Active reps and managers, by name: the people a converted lead's deal can go to."""
    rows = cached(Database.AUTH, people.list_people, roles=DEAL_OWNER_ROLES)
    return {user_id: name for user_id, name, _email, _active in rows}


def open_stages() -> dict[int, str]:
    """Pipeline stages a new deal may start in (not the closing ones), in pipeline order."""
    stages = cached(Database.CRM, crm_service.list_reference)["stages"]
    return {stage_id: name for stage_id, name in stages if not name.lower().startswith("closed")}


def default_deal_name(lead: LeadRead, campaigns: dict[int, str]) -> str:
    """'<company> — <campaign>', falling back to the lead's name and 'new business'."""
    company = lead.company_name or lead.name
    campaign = campaigns.get(lead.campaign_id) if lead.campaign_id else None
    return f"{company} — {campaign or 'new business'}"[:DEAL_NAME_MAX]


def handoff_form(lead: LeadRead, campaigns: dict[int, str]) -> None:
    """The hand-off form for a qualified lead; Convert… asks for a confirmation, which runs the conversion."""
    key = f"handoff_{lead.id}"
    st.caption("Creates or reuses the company and contact in the CRM. Optionally opens a deal for a seller, "
               "who is notified.")
    create_deal = st.toggle("Also create a deal", value=True, key=f"{key}_create_deal")
    owners = deal_owners()
    stages = open_stages()
    with st.form(key, border=False):
        owner_id = deal_name = amount = stage_id = close_date = None
        if create_deal:
            owner_id = st.selectbox("Deal owner *", list(owners), format_func=owners.get, index=None,
                                    placeholder="Choose a seller", key=f"{key}_owner")
            deal_name = st.text_input("Deal name", value=default_deal_name(lead, campaigns), max_chars=DEAL_NAME_MAX,
                                      key=f"{key}_deal_name")
            amount_col, stage_col, date_col = st.columns(3)
            # No min on the widget: Streamlit would refuse -5 with only a red border; the conversion says why.
            amount = amount_col.number_input("Amount ($)", value=None, step=1000.0, format="%.2f",
                                             placeholder="not known yet", key=f"{key}_amount",
                                             help="In dollars and cents, 0 or more.")
            stage_id = stage_col.selectbox("Stage", [None, *stages], format_func=lambda s: stages.get(s, "First stage"),
                                           key=f"{key}_stage")
            close_date = date_col.date_input("Expected close", value=today_utc() + timedelta(days=60),
                                             key=f"{key}_close")
        convert = st.form_submit_button("Convert…", type="primary", icon=":material/handshake:")
    if not convert:
        _confirmation(lead)
        return
    if create_deal and owner_id is None:
        st.error("Deal owner is required: choose who owns the deal, or switch off 'Also create a deal'.",
                 icon=":material/error:")
        return
    request = ConversionRequest(
        lead_id=lead.id,
        create_deal=create_deal,
        deal_owner_id=owner_id,
        deal_name=deal_name or None,
        deal_amount=None if amount is None else Decimal(repr(amount)),
        deal_stage_id=stage_id,
        expected_close_date=close_date,
    )
    summary = f"a deal for {owners[owner_id]}" if create_deal else "no deal"
    st.session_state[f"{key}_pending"] = (request, summary)
    _confirmation(lead)


def _confirmation(lead: LeadRead) -> None:
    """Asked in the page (not a dialog) so the answer survives the rerun a button press makes."""
    key = f"handoff_{lead.id}"
    pending = st.session_state.get(f"{key}_pending")
    if pending is None:
        return
    request, summary = pending
    st.warning(f"Convert **{literal(lead.name)}** into a CRM company and contact, with "
               f"{literal(summary)}? The lead becomes converted and can no longer change.",
               icon=":material/handshake:")
    convert_col, back_col, _rest = st.columns([1, 1, 3])
    if back_col.button("Back", key=f"{key}_back", width="stretch"):
        st.session_state.pop(f"{key}_pending")
        rerun_section()
    if convert_col.button("Convert", type="primary", key=f"{key}_confirm", width="stretch"):
        with st.spinner("Handing the lead to sales…"):
            result = submit_flow(flows.convert_lead, request=request)
        if result is FAILED:
            return  # the reason is shown; the confirmation stays, so Back or another try is one press away
        st.session_state.pop(f"{key}_pending")
        st.session_state[f"conversion_{lead.id}"] = result
        rerun_section()


def converted_summary(lead: LeadRead) -> None:
    """What a converted lead became, by name and linked: the conversion just run (created or reused), else the
    records the lead keeps."""
    result: ConversionResult | None = st.session_state.get(f"conversion_{lead.id}")
    company_id = result.company_id if result else lead.converted_company_id
    contact_id = result.contact_id if result else lead.converted_contact_id
    deal_id = result.deal_id if result else lead.converted_deal_id
    if company_id is None or contact_id is None:
        st.warning("This lead is marked converted but records no CRM company or contact.", icon=":material/info:")
        return
    if result is not None and result.already_converted:
        st.info("This lead was already converted; nothing new was created.", icon=":material/info:")
    elif result is not None:
        st.success("Handed off to sales.", icon=":material/check_circle:")
    else:
        st.success("Converted: this lead was handed to sales and is now", icon=":material/check_circle:")
    if not current_principal().has("crm.read"):
        st.caption("a company, a contact" + (" and a deal" if deal_id else "") + " in the CRM.")
        return
    records = cached(Database.CRM, lead_service.converted_records, company_id=company_id, contact_id=contact_id,
                     deal_id=deal_id)
    fresh = result is not None and not result.already_converted  # this session's conversion: say what it made

    def fate(created: bool, otherwise: str) -> str:
        return ("created" if created else otherwise) if fresh else ""

    _record_link("company", records.company, fate(bool(result and result.company_created), "already in the CRM"))
    _record_link("contact", records.contact, fate(bool(result and result.contact_created), "already in the CRM"))
    if records.deal is not None:
        _record_link("deal", records.deal, fate(bool(result and result.deal_created), "existing"))


def _record_link(kind: str, record: CrmRecord, fate: str) -> None:
    """A link to the record on the CRM page: '<name> · company, created'."""
    if record.name is None:
        st.caption(f"The {kind} it became is no longer in the CRM.")
        return
    tab, parameter = CRM_LINKS[kind]
    suffix = f" ({fate})" if fate else ""
    st.page_link(str(PAGES_DIR / "crm.py"), label=f"{literal(record.name)} · {kind}{suffix}",
                 query_params={"crm_tab": tab, parameter: str(record.id)}, icon=CRM_ICONS[kind])
