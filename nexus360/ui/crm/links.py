"""Deep links into the CRM page: other pages (notifications, the assistant, the lead hand-off) open a deal or a
company with them, and the CRM page reads them (docs/architecture.md, "Deep links").

    /crm?crm_tab=Deals&deal=2006         the Deals tab with deal 2006 open
    /crm?crm_tab=Companies&company=301   the Companies tab with company 301 open

`crm_tab` is the page's tab bar (bound to the address); `deal` and `company` name the record to open.
"""

from __future__ import annotations

import streamlit as st

from nexus360.ui.formatting import literal
from nexus360.ui.navigation import PAGES_DIR

CRM_PAGE = str(PAGES_DIR / "crm.py")
TAB_KEY = "crm_tab"  # the tab bar's key and query parameter (the page-bench convention: <url_path>_tab)
DEALS, COMPANIES = "Deals", "Companies"
RECORD_TABS = {"deal": DEALS, "company": COMPANIES}  # query parameter -> the tab that shows such a record


def deal_params(deal_id: int) -> dict[str, str]:
    return {TAB_KEY: DEALS, "deal": str(int(deal_id))}


def company_params(company_id: int) -> dict[str, str]:
    return {TAB_KEY: COMPANIES, "company": str(int(company_id))}


def deal_url(deal_id: int) -> str:
    """The address of a deal, relative to the app (for a table's link column or a message)."""
    return f"/crm?{TAB_KEY}={DEALS}&deal={int(deal_id)}"


def company_url(company_id: int) -> str:
    return f"/crm?{TAB_KEY}={COMPANIES}&company={int(company_id)}"


def link_to_deal(title: str, deal_id: int, *, icon: str | None = ":material/handshake:") -> None:
    """A link that opens the deal on the CRM page; the title is shown as written."""
    st.page_link(CRM_PAGE, label=literal(title), icon=icon, query_params=deal_params(deal_id))


def link_to_company(name: str, company_id: int, *, icon: str | None = ":material/domain:") -> None:
    st.page_link(CRM_PAGE, label=literal(name), icon=icon, query_params=company_params(company_id))


def linked_id(parameter: str) -> int | None:
    """The record the address asks to open (`deal` or `company`), if it names one by a valid id."""
    value = st.query_params.get(parameter)
    return int(value) if value and value.isdigit() else None


def close_link(parameter: str) -> None:
    """Forget the record the address opened (the person closed it or picked another)."""
    if parameter in st.query_params:
        del st.query_params[parameter]


def open_record(parameter: str, record_id: int) -> None:
    """For a widget callback on the CRM page: show the tab of a `deal` or `company` with that record open.

    Callbacks run before the rerun the interaction starts; a callback of a widget inside a fragment would
    rerun only that fragment, so this asks for the whole page (another tab opens)."""
    st.session_state[TAB_KEY] = RECORD_TABS[parameter]
    st.query_params[parameter] = str(int(record_id))
    st.session_state[f"crm_link_{parameter}"] = int(record_id)
    st.rerun()


def open_deal(deal_id: int) -> None:
    open_record("deal", deal_id)


def open_stage_deals(stage_id: int) -> None:
    """For a widget callback on the CRM page: the Deals tab filtered by one stage, as the Pipeline board's "N more"
    offers (its other filters as the person left them: by default open deals, a rep's own, a manager's all)."""
    st.session_state["deal_stages"] = [int(stage_id)]  # the Deals tab's stage picker (ui/crm/deals.py)
    st.session_state[TAB_KEY] = DEALS
    st.rerun()
