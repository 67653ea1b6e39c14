"""The CRM page's companies: the list, a company's detail (its contacts and deals), the form, deletion.

The tab is a fragment. A company opens from the list or from its address (/crm?crm_tab=Companies&company=301).
"""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.errors import ValidationError
from nexus360.common.money import money
from nexus360.common.validation import parse
from nexus360.crm import service as crm_service
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealFilters
from nexus360.crm.schemas import CompanyCreate, CompanyRead
from nexus360.db import Database
from nexus360.ui.confirm import duplicates_accepted
from nexus360.ui.crm import links
from nexus360.ui.crm.common import (
    as_cents,
    clear_form,
    day,
    form_key,
    lazy_expander,
    money_input,
    rerun_tab,
    show_toasts,
    text_cells,
    toast_next,
)
from nexus360.ui.export import export_buttons
from nexus360.ui.formatting import literal
from nexus360.ui.lists import keyset_page, pager, selectable_table
from nexus360.ui.session import FAILED, cached, call, current_principal, submit

SHOWN_PER_COMPANY = 20
COLUMNS = {
    "name": st.column_config.TextColumn("Company"),
    "domain": st.column_config.TextColumn("Domain"),
    "industry": st.column_config.TextColumn("Industry"),
    "country": st.column_config.TextColumn("Country"),
    "annual_revenue": st.column_config.NumberColumn("Annual revenue", format="dollar"),
}


@st.fragment
def companies_tab(reference: dict) -> None:
    principal = current_principal()
    show_toasts()
    industries, countries = dict(reference["industries"]), dict(reference["countries"])
    linked_slot = st.container()
    search_col, industry_col, country_col = st.columns([3, 2, 2])
    search = search_col.text_input("Search", placeholder="Name or domain", key="company_search", max_chars=100)
    industry_id = industry_col.selectbox("Industry", [None, *industries], key="company_industry",
                                         format_func=lambda i: industries.get(i, "All industries"))
    country_id = country_col.selectbox("Country", [None, *countries], key="company_country",
                                       format_func=lambda i: countries.get(i, "All countries"))
    filters = {"search": search.strip(), "industry_id": industry_id, "country_id": country_id}
    if principal.has("crm.write") and (expander := lazy_expander("New company", "new_company_open",
                                                                 icon=":material/add:")):
        with expander:
            _company_form(None, industries, countries)
    export_buttons("companies", lambda: call(Database.CRM, crm_service.export_companies, **filters),
                   name="Companies", filters=tuple(filters.values()))
    page = keyset_page("companies", tuple(filters.values()),
                       lambda after: cached(Database.CRM, crm_service.list_companies, after=after, **filters))
    chosen = None
    if page.rows.empty:
        st.info("No companies match these filters." + (" Create one with “New company” above."
                                                       if principal.has("crm.write") else ""))
    else:
        frame = text_cells(page.rows, ["domain", "industry", "country"])
        row = selectable_table("companies_table", frame[list(COLUMNS)], column_config=COLUMNS)
        chosen = None if row is None else int(frame.iloc[row]["id"])
        pager("companies", page)
    linked = links.linked_id("company")
    if chosen is not None:
        if linked is not None:
            links.close_link("company")
        _company_detail(principal, chosen, industries, countries)
    elif linked is not None:
        with linked_slot, st.container(border=True):
            st.button("Close", key="close_linked_company", icon=":material/close:", type="tertiary",
                      on_click=links.close_link, args=("company",))
            _company_detail(principal, linked, industries, countries)


def _company_detail(principal: Principal, company_id: int, industries: dict, countries: dict) -> None:
    company = cached(Database.CRM, crm_service.get_company, company_id=company_id)
    st.subheader(literal(company.name))
    facts = [company.domain, industries.get(company.industry_id), countries.get(company.country_id),
             f"annual revenue {money(company.annual_revenue)}" if company.annual_revenue is not None else None]
    st.caption(" · ".join(literal(fact) for fact in facts if fact) or "No details yet.")
    if company.website:
        st.caption(f"Website: {literal(company.website)}")
    # Contacts, then deals, each as wide as the page: every column shows at 1440 px.
    st.markdown("**Contacts**")
    contacts = cached(Database.CRM, crm_service.list_contacts, company_id=company_id, limit=SHOWN_PER_COMPANY).rows
    if contacts.empty:
        st.caption("No contacts yet." + (" Add one on the Contacts tab." if principal.has("crm.write") else ""))
    else:
        shown = text_cells(contacts, ["name", "job_title", "phone"])
        st.dataframe(shown[["name", "email", "job_title", "phone"]], hide_index=True, width="stretch",
                     column_config={"name": "Name", "email": "Email", "job_title": "Job title", "phone": "Phone"})
    st.markdown("**Deals**")
    _company_deals(company_id)
    if principal.has("crm.write") and (expander := lazy_expander("Edit company", f"edit_company_{company_id}")):
        with expander:
            _company_form(company, industries, countries)
    if principal.has("crm.manage") and st.button("Delete company…", key=f"delete_company_{company_id}"):
        _confirm_delete_company(company_id, company.name)


def _company_deals(company_id: int) -> None:
    deals = cached(Database.CRM, deal_service.list_deals, filters=DealFilters(company_id=company_id),
                   limit=SHOWN_PER_COMPANY).rows
    if deals.empty:
        st.caption("No deals yet.")
        return
    shown = deals.assign(close_date=deals["close_date"].map(day))
    deal_ids = deals["id"].tolist()
    key = f"company_{company_id}_deals"
    st.dataframe(
        shown[["title", "stage", "amount", "close_date"]], hide_index=True, width="stretch", key=key,
        on_select=lambda: _open_deal(key, deal_ids), selection_mode="single-row",
        column_config={"title": "Deal", "stage": "Stage", "close_date": "Close date",
                       "amount": st.column_config.NumberColumn("Amount", format="dollar")},
    )
    st.caption("Pick a deal to open it on the Deals tab.")


def _open_deal(key: str, deal_ids: list[int]) -> None:
    rows = st.session_state[key].selection.rows
    if rows:
        links.open_deal(deal_ids[rows[0]])


@st.dialog("Delete company")
def _confirm_delete_company(company_id: int, name: str) -> None:
    st.write(f"Delete “{literal(name)}”? Companies with contacts or deals cannot be deleted.")
    if st.button("Delete", type="primary") and submit(
        Database.CRM, crm_service.delete_company, company_id=company_id
    ) is not FAILED:
        st.session_state.pop("companies_table", None)
        links.close_link("company")
        toast_next(f"Deleted “{literal(name)}”.")
        st.rerun()


def _company_form(company: CompanyRead | None, industries: dict, countries: dict) -> None:
    base = f"company_form_{company.id if company else 'new'}"
    key = form_key(base)
    with st.form(key):
        name = st.text_input("Name *", value=company.name if company else "", max_chars=255)
        domain = st.text_input("Domain", value=(company.domain or "") if company else "", placeholder="example.com",
                               max_chars=255)
        website = st.text_input("Website", value=(company.website or "") if company else "", max_chars=255,
                                placeholder="https://example.com")
        industry_ids, country_ids = [None, *industries], [None, *countries]
        industry_id = st.selectbox("Industry", industry_ids, format_func=lambda i: industries.get(i, "Not set"),
                                   index=industry_ids.index(company.industry_id) if company else 0)
        country_id = st.selectbox("Country", country_ids, format_func=lambda i: countries.get(i, "Not set"),
                                  index=country_ids.index(company.country_id) if company else 0)
        revenue = money_input("Annual revenue ($)", company.annual_revenue if company else None, step=100000.0)
        pressed = st.form_submit_button("Save changes" if company else "Create company", type="primary")
    if not pressed:
        return
    try:
        data = parse(CompanyCreate, name=name, domain=domain, website=website, industry_id=industry_id,
                     country_id=country_id, annual_revenue=as_cents(revenue) or None)
    except ValidationError as error:
        st.error(str(error), icon=":material/error:")
        return
    duplicates = call(Database.CRM, crm_service.find_duplicate_companies, data=data,
                      exclude_id=company.id if company else None)
    names = ", ".join(f"“{literal(row[1])}”" for row in duplicates)
    button = "Save changes" if company else "Create company"
    if not duplicates_accepted(key, duplicates, f"Possible duplicate: {names} has the same name or domain. "
                                                f"Press {button} again to keep both."):
        return
    if company is None:
        result = submit(Database.CRM, crm_service.create_company, data=data)
    else:
        result = submit(Database.CRM, crm_service.update_company, company_id=company.id, data=data)
    if result is FAILED:
        return
    toast_next(f"Saved “{literal(result.name)}”.")
    if company is None:
        clear_form(base)
        st.query_params["company"] = str(result.id)  # open it
    rerun_tab()
