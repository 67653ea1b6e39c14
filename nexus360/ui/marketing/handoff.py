"""Handing a qualified lead to sales: the form, the confirmation, and what the conversion created or reused.

The conversion itself (`marketing.flows.convert_lead`) opens its own sessions in several databases and is
safe to retry, so the page calls it directly and simply shows its result; pressing Convert twice is harmless.
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
from nexus360.marketing.schemas import ConversionRequest, ConversionResult
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import cached, current_principal, friendly_errors

DEAL_OWNER_ROLES = flows.DEAL_OWNER_ROLES  # whom the conversion accepts as a deal owner


def deal_owners() -> dict[int, str]:
    """Active reps and managers, by name: the people a converted lead's deal can go to."""
    rows = cached(Database.AUTH, people.list_people, roles=DEAL_OWNER_ROLES)
    return {user_id: name for user_id, name, _email, _active in rows}


def open_stages() -> dict[int, str]:
    """Pipeline stages a new deal may start in (not the closing ones), in pipeline order."""
    stages = cached(Database.CRM, crm_service.list_reference)["stages"]
    return {stage_id: name for stage_id, name in stages if not name.lower().startswith("closed")}


def default_deal_name(lead, campaigns: dict[int, str]) -> str:
    """'<company> — <campaign>', falling back to the lead's name and 'new business'."""
    company = lead.company_name or lead.name
    campaign = campaigns.get(lead.campaign_id) if lead.campaign_id else None
    return f"{company} — {campaign or 'new business'}"[:255]


def handoff_form(lead, campaigns: dict[int, str]) -> None:
    """The hand-off form for a qualified lead; Convert… asks for a confirmation, which runs the conversion."""
    key = f"handoff_{lead.id}"
    st.caption("Creates or reuses the company and contact in the CRM. Optionally opens a deal for a seller, "
               "who is notified.")
    create_deal = st.toggle("Also create a deal", value=True, key=f"{key}_create_deal")
    owners = deal_owners()
    stages = open_stages()
    with st.form(key):
        owner_id = deal_name = amount = stage_id = close_date = None
        if create_deal:
            owner_id = st.selectbox("Deal owner *", list(owners), format_func=owners.get, index=None,
                                    placeholder="Choose a seller")
            deal_name = st.text_input("Deal name", value=default_deal_name(lead, campaigns), max_chars=255)
            amount_col, stage_col, date_col = st.columns(3)
            amount = amount_col.number_input("Amount ($)", min_value=0.0, step=1000.0, value=0.0)
            stage_id = stage_col.selectbox("Stage", [None, *stages], format_func=lambda s: stages.get(s, "First stage"))
            close_date = date_col.date_input("Expected close", value=today_utc() + timedelta(days=60))
        convert = st.form_submit_button("Convert…", type="primary", icon=":material/handshake:")
    if not convert:
        _confirmation(lead)
        return
    if create_deal and owner_id is None:
        st.error("Choose who owns the deal, or switch off 'Also create a deal'.")
        return
    request = ConversionRequest(
        lead_id=lead.id,
        create_deal=create_deal,
        deal_owner_id=owner_id,
        deal_name=deal_name or None,
        deal_amount=Decimal(str(amount)) if amount else None,
        deal_stage_id=stage_id,
        expected_close_date=close_date,
    )
    summary = f"a deal for {owners[owner_id]}" if create_deal else "no deal"
    st.session_state[f"{key}_pending"] = (request, summary)
    _confirmation(lead)


def _confirmation(lead) -> None:
    """Asked in the page (not a dialog) so the answer survives the full rerun a button press makes."""
    key = f"handoff_{lead.id}"
    pending = st.session_state.get(f"{key}_pending")
    if pending is None:
        return
    request, summary = pending
    st.warning(f"Convert **{escape_markdown(lead.name)}** into a CRM company and contact, with "
               f"{escape_markdown(summary)}? The lead becomes converted and can no longer change.",
               icon=":material/handshake:")
    convert_col, back_col, _rest = st.columns([1, 1, 3])
    if back_col.button("Back", key=f"{key}_back", width="stretch"):
        st.session_state.pop(f"{key}_pending")
        st.rerun()
    if convert_col.button("Convert", type="primary", key=f"{key}_confirm", width="stretch"):
        with st.spinner("Handing the lead to sales…"), friendly_errors():
            result = flows.convert_lead(current_principal(), request)
        st.session_state.pop(f"{key}_pending")
        st.session_state[f"conversion_{lead.id}"] = result
        st.cache_data.clear()
        st.rerun()


def converted_summary(lead) -> None:
    """What a converted lead became: the conversion just run (created or reused), else the recorded ids."""
    result: ConversionResult | None = st.session_state.get(f"conversion_{lead.id}")
    if result is not None:
        if result.already_converted:
            st.info("This lead was already converted; nothing new was created.", icon=":material/info:")
        else:
            st.success("Handed off to sales.", icon=":material/check_circle:")
        lines = [
            f"- Company #{result.company_id} ({'created' if result.company_created else 'already in the CRM'})",
            f"- Contact #{result.contact_id} ({'created' if result.contact_created else 'already in the CRM'})",
        ]
        if result.deal_id is not None:
            lines.append(f"- Deal #{result.deal_id} ({'created' if result.deal_created else 'existing'})")
        st.markdown("\n".join(lines))
        return
    parts = [f"company #{lead.converted_company_id}", f"contact #{lead.converted_contact_id}"]
    if lead.converted_deal_id:
        parts.append(f"deal #{lead.converted_deal_id}")
    st.success(f"Converted into CRM {', '.join(parts)}.", icon=":material/check_circle:")
