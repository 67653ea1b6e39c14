"""The CRM page's companies and contacts: lists, details, forms, duplicate warnings, deletion."""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.errors import ValidationError
from nexus360.common.money import money
from nexus360.common.validation import parse
from nexus360.crm import service as crm_service
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealFilters
from nexus360.crm.schemas import CompanyCreate, ContactCreate
from nexus360.db import Database
from nexus360.ui.confirm import duplicates_accepted
from nexus360.ui.crm.pickers import company_picker
from nexus360.ui.export import export_buttons
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.lists import keyset_page, pager, selectable_table
from nexus360.ui.session import FAILED, call, current_principal, submit

MONEY = st.column_config.NumberColumn(format="dollar")


def companies_tab(reference: dict) -> None:
    principal = current_principal()
    industries, countries = dict(reference["industries"]), dict(reference["countries"])
    search_col, industry_col, country_col = st.columns([3, 2, 2])
    search = search_col.text_input("Search", placeholder="Name or domain", key="company_search")
    industry_id = industry_col.selectbox(
        "Industry", [None, *industries], format_func=lambda i: industries.get(i, "All")
    )
    country_id = country_col.selectbox("Country", [None, *countries], format_func=lambda i: countries.get(i, "All"))
    filters = (search, industry_id, country_id)
    page = keyset_page(
        "companies",
        filters,
        lambda after: call(
            Database.CRM,
            crm_service.list_companies,
            search=search,
            industry_id=industry_id,
            country_id=country_id,
            after=after,
        ),
    )
    if principal.has("crm.write"):
        with st.expander("New company", icon=":material/add:"):
            _company_form(None, industries, countries)
    export_buttons(
        "companies",
        lambda: call(
            Database.CRM, crm_service.export_companies, search=search, industry_id=industry_id, country_id=country_id
        ),
        name="Companies",
        filters=filters,
    )
    if page.rows.empty:
        st.info("No companies match these filters.")
        return
    chosen = selectable_table(
        "companies_table",
        page.rows[["name", "domain", "industry", "country", "annual_revenue"]],
        column_config={"annual_revenue": st.column_config.NumberColumn("Annual revenue", format="dollar")},
    )
    pager("companies", page)
    if chosen is not None:
        _company_detail(principal, int(page.rows.iloc[chosen]["id"]), industries, countries)


def _company_detail(principal: Principal, company_id: int, industries: dict, countries: dict) -> None:
    company = call(Database.CRM, crm_service.get_company, company_id=company_id)
    st.subheader(escape_markdown(company.name))
    st.caption(
        " · ".join(
            filter(
                None,
                [
                    company.domain,
                    industries.get(company.industry_id),
                    countries.get(company.country_id),
                    money(company.annual_revenue),
                ],
            )
        )
    )
    contacts_col, deals_col = st.columns(2)
    with contacts_col:
        st.markdown("**Contacts**")
        contacts = call(Database.CRM, crm_service.list_contacts, company_id=company_id, limit=20).rows
        if contacts.empty:
            st.caption("No contacts yet.")
        else:
            st.dataframe(contacts[["name", "email", "job_title"]], hide_index=True, width="stretch")
    with deals_col:
        st.markdown("**Deals**")
        deals = call(Database.CRM, deal_service.list_deals, filters=DealFilters(company_id=company_id), limit=20).rows
        if deals.empty:
            st.caption("No deals yet.")
        else:
            st.dataframe(
                deals[["title", "stage", "amount", "close_date"]],
                hide_index=True,
                width="stretch",
                column_config={"amount": MONEY},
            )
    if principal.has("crm.write"):
        with st.expander("Edit company"):
            _company_form(company, industries, countries)
    if principal.has("crm.manage") and st.button("Delete company…", key=f"delete_company_{company_id}"):
        _confirm_delete_company(company_id, company.name)


@st.dialog("Delete company")
def _confirm_delete_company(company_id: int, name: str) -> None:
    st.write(f"Delete **{escape_markdown(name)}**? Companies with contacts or deals cannot be deleted.")
    if (
        st.button("Delete", type="primary")
        and submit(Database.CRM, crm_service.delete_company, company_id=company_id) is not FAILED
    ):
        st.cache_data.clear()
        st.rerun()


def _company_form(company, industries: dict, countries: dict) -> None:
    key = f"company_form_{company.id if company else 'new'}"
    with st.form(key):
        name = st.text_input("Name *", value=company.name if company else "", max_chars=255)
        domain = st.text_input("Domain", value=(company.domain or "") if company else "", placeholder="example.com")
        website = st.text_input("Website", value=(company.website or "") if company else "")
        industry_ids, country_ids = [None, *industries], [None, *countries]
        industry_id = st.selectbox(
            "Industry",
            industry_ids,
            format_func=lambda i: industries.get(i, "—"),
            index=industry_ids.index(company.industry_id) if company else 0,
        )
        country_id = st.selectbox(
            "Country",
            country_ids,
            format_func=lambda i: countries.get(i, "—"),
            index=country_ids.index(company.country_id) if company else 0,
        )
        revenue = st.number_input(
            "Annual revenue ($)",
            min_value=0.0,
            step=100000.0,
            value=float(company.annual_revenue or 0) if company else 0.0,
        )
        saved = st.form_submit_button("Save changes" if company else "Create company", type="primary")
    if not saved:
        return
    try:
        data = parse(
            CompanyCreate,
            name=name,
            domain=domain,
            website=website,
            industry_id=industry_id,
            country_id=country_id,
            annual_revenue=revenue or None,
        )
    except ValidationError as error:
        st.error(str(error))
        return
    duplicates = call(
        Database.CRM, crm_service.find_duplicate_companies, data=data, exclude_id=company.id if company else None
    )
    names = ", ".join(f"'{row[1]}'" for row in duplicates)
    if not duplicates_accepted(
        key, duplicates, f"Possible duplicate: {names} has the same name or domain. Press Save again to keep both."
    ):
        return
    if company is None:
        result = submit(Database.CRM, crm_service.create_company, data=data)
    else:
        result = submit(Database.CRM, crm_service.update_company, company_id=company.id, data=data)
    if result is not FAILED:
        st.cache_data.clear()
        st.toast(f"Saved '{result.name}'.", icon=":material/check_circle:")


def contacts_tab() -> None:
    principal = current_principal()
    search = st.text_input("Search", placeholder="Name or email", key="contact_search")
    page = keyset_page(
        "contacts", (search,), lambda after: call(Database.CRM, crm_service.list_contacts, search=search, after=after)
    )
    if principal.has("crm.write"):
        with st.expander("New contact", icon=":material/add:"):
            _contact_form(None)
    export_buttons(
        "contacts",
        lambda: call(Database.CRM, crm_service.export_contacts, search=search),
        name="Contacts",
        filters=(search,),
    )
    if page.rows.empty:
        st.info("No contacts match this search.")
        return
    chosen = selectable_table("contacts_table", page.rows[["name", "email", "phone", "job_title", "company"]])
    pager("contacts", page)
    if chosen is not None and principal.has("crm.write"):
        contact = call(Database.CRM, crm_service.get_contact, contact_id=int(page.rows.iloc[chosen]["id"]))
        st.subheader(escape_markdown(contact.name))
        _contact_form(contact)


def _contact_form(contact) -> None:
    key = f"contact_form_{contact.id if contact else 'new'}"
    company_id = company_picker(key, contact.company_id if contact else None, required=False)
    with st.form(key):
        first, last = st.columns(2)
        first_name = first.text_input("First name", value=(contact.first_name or "") if contact else "")
        last_name = last.text_input("Last name", value=(contact.last_name or "") if contact else "")
        email = st.text_input("Email *", value=contact.email if contact else "")
        phone = st.text_input("Phone", value=(contact.phone or "") if contact else "")
        job_title = st.text_input("Job title", value=(contact.job_title or "") if contact else "")
        saved = st.form_submit_button("Save changes" if contact else "Create contact", type="primary")
    if not saved:
        return
    try:
        data = parse(
            ContactCreate,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            job_title=job_title,
            company_id=company_id,
        )
    except ValidationError as error:
        st.error(str(error))
        return
    duplicates = call(
        Database.CRM, crm_service.find_duplicate_contacts, email=data.email, exclude_id=contact.id if contact else None
    )
    if not duplicates_accepted(
        key, duplicates, f"A contact with {data.email} already exists. Press Save again to add another anyway."
    ):
        return
    if contact is None:
        result = submit(Database.CRM, crm_service.create_contact, data=data)
    else:
        result = submit(Database.CRM, crm_service.update_contact, contact_id=contact.id, data=data)
    if result is not FAILED:
        st.toast(f"Saved {result.email}.", icon=":material/check_circle:")
