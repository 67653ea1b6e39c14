"""The CRM page's contacts: the list, a contact's detail, the form and duplicate warnings (a fragment)."""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.errors import ValidationError
from nexus360.common.validation import parse
from nexus360.crm import service as crm_service
from nexus360.crm.schemas import ContactCreate, ContactRead
from nexus360.db import Database
from nexus360.ui.confirm import duplicates_accepted
from nexus360.ui.crm import links
from nexus360.ui.crm.common import clear_form, form_key, lazy_expander, rerun_tab, show_toasts, text_cells, toast_next
from nexus360.ui.crm.pickers import company_picker
from nexus360.ui.export import export_buttons
from nexus360.ui.formatting import literal
from nexus360.ui.lists import keyset_page, pager, selectable_table
from nexus360.ui.session import FAILED, cached, call, current_principal, submit

COLUMNS = {
    "name": st.column_config.TextColumn("Name"),
    "email": st.column_config.TextColumn("Email"),
    "phone": st.column_config.TextColumn("Phone"),
    "job_title": st.column_config.TextColumn("Job title"),
    "company": st.column_config.TextColumn("Company"),
}
LIMITS = {"first_name": 100, "last_name": 100, "email": 255, "phone": 50, "job_title": 100}  # the columns' sizes


@st.fragment
def contacts_tab() -> None:
    principal = current_principal()
    show_toasts()
    search = st.text_input("Search", placeholder="Name or email", key="contact_search", max_chars=100).strip()
    if principal.has("crm.write") and (expander := lazy_expander("New contact", "new_contact_open",
                                                                 icon=":material/add:")):
        with expander:
            _contact_form(None)
    export_buttons("contacts", lambda: call(Database.CRM, crm_service.export_contacts, search=search),
                   name="Contacts", filters=(search,))
    page = keyset_page("contacts", (search,),
                       lambda after: cached(Database.CRM, crm_service.list_contacts, search=search, after=after))
    if page.rows.empty:
        st.info("No contacts match this search." + (" Create one with “New contact” above."
                                                    if principal.has("crm.write") else ""))
        return
    frame = text_cells(page.rows, ["name", "phone", "job_title", "company"])
    row = selectable_table("contacts_table", frame[list(COLUMNS)], column_config=COLUMNS)
    pager("contacts", page)
    if row is not None:
        _contact_detail(principal, int(frame.iloc[row]["id"]))


def _contact_detail(principal: Principal, contact_id: int) -> None:
    contact = cached(Database.CRM, crm_service.get_contact, contact_id=contact_id)
    st.subheader(literal(contact.name))
    facts = [contact.job_title, contact.email, contact.phone]
    st.caption(" · ".join(literal(fact) for fact in facts if fact))
    if contact.company_id:
        company = cached(Database.CRM, crm_service.get_company, company_id=contact.company_id)
        links.link_to_company(company.name, company.id)
    if principal.has("crm.write"):
        _contact_form(contact)


def _contact_form(contact: ContactRead | None) -> None:
    base = f"contact_form_{contact.id if contact else 'new'}"
    key = form_key(base)
    company_id = company_picker(key, contact.company_id if contact else None, required=False)
    with st.form(key):
        first, last = st.columns(2)
        first_name = first.text_input("First name", value=(contact.first_name or "") if contact else "",
                                      max_chars=LIMITS["first_name"])
        last_name = last.text_input("Last name", value=(contact.last_name or "") if contact else "",
                                    max_chars=LIMITS["last_name"])
        email = st.text_input("Email *", value=contact.email if contact else "", max_chars=LIMITS["email"])
        phone = st.text_input("Phone", value=(contact.phone or "") if contact else "", max_chars=LIMITS["phone"])
        job_title = st.text_input("Job title", value=(contact.job_title or "") if contact else "",
                                  max_chars=LIMITS["job_title"])
        pressed = st.form_submit_button("Save changes" if contact else "Create contact", type="primary")
    if not pressed:
        return
    try:
        data = parse(ContactCreate, first_name=first_name, last_name=last_name, email=email, phone=phone,
                     job_title=job_title, company_id=company_id)
    except ValidationError as error:
        st.error(str(error), icon=":material/error:")
        return
    duplicates = call(Database.CRM, crm_service.find_duplicate_contacts, email=data.email,
                      exclude_id=contact.id if contact else None)
    button = "Save changes" if contact else "Create contact"
    if not duplicates_accepted(key, duplicates, f"A contact with {literal(data.email)} already exists. "
                                                f"Press {button} again to add another anyway."):
        return
    if contact is None:
        result = submit(Database.CRM, crm_service.create_contact, data=data)
    else:
        result = submit(Database.CRM, crm_service.update_contact, contact_id=contact.id, data=data)
    if result is FAILED:
        return
    toast_next(f"Saved {literal(result.name)}.")
    if contact is None:
        clear_form(base)
    rerun_tab()
