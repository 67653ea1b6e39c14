"""The CRM page's deals: filtered list, a deal's detail with its stage history, the create and edit forms.

The tab is a fragment: its filters, pages, selection and forms rerun it alone. A deal opens from the list,
or from the address (/crm?crm_tab=Deals&deal=2006, see ui/crm/links.py). A save reruns the tab, so the list
row, the heading and the stage history show the saved values at once.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.auth.users import service as people
from nexus360.common.money import money
from nexus360.common.periods import today_utc
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealFilters
from nexus360.db import Database
from nexus360.ui.crm import links
from nexus360.ui.crm.board import owns_deals
from nexus360.ui.crm.common import day, lazy_expander, rerun_tab, show_toasts, toast_next
from nexus360.ui.crm.deal_form import deal_form
from nexus360.ui.export import export_buttons
from nexus360.ui.formatting import literal
from nexus360.ui.lists import keyset_page, pager, selectable_table
from nexus360.ui.session import FAILED, cached, call, current_principal, submit

OWNER_ROLES = ("sales_rep", "sales_manager", "admin")
COLUMNS = {
    "title": st.column_config.TextColumn("Deal"),
    "company": st.column_config.TextColumn("Company"),
    "stage": st.column_config.TextColumn("Stage"),
    "amount": st.column_config.NumberColumn("Amount", format="dollar"),
    "close_date": st.column_config.TextColumn("Close date"),
    "owner": st.column_config.TextColumn("Owner"),
}


def owners() -> dict[int, str]:
    """Active sellers, managers and admins by id, for pickers and filters."""
    rows = cached(Database.AUTH, people.list_people, roles=OWNER_ROLES)
    return {user_id: name for user_id, name, _email, _active in rows}


@st.fragment
def deals_tab(reference: dict) -> None:
    principal = current_principal()
    show_toasts()
    stages = dict(reference["stages"])
    people_by_id = owners()
    linked_slot = st.container()  # a deal opened by its address shows here, above the list
    filters = _filters(principal, stages, people_by_id)
    if principal.has("crm.write"):
        _new_deal(principal, stages, people_by_id)
    export_buttons("deals", lambda: call(Database.CRM, deal_service.export_deals, filters=filters),
                   name="Deals", filters=(filters,))
    page = keyset_page("deals", (filters,), lambda after: cached(
        Database.CRM, deal_service.list_deals, filters=filters, after=after))
    chosen = None
    if page.rows.empty:
        st.info(_nothing_found(principal, filters))
    else:
        names = cached(Database.AUTH, people.get_user_names, user_ids=tuple(sorted(set(page.rows["owner_id"]))))
        frame = page.rows.assign(owner=page.rows["owner_id"].map(names).fillna("Former user"),
                                 close_date=page.rows["close_date"].map(day))
        row = selectable_table("deals_table", frame[list(COLUMNS)], column_config=COLUMNS)
        chosen = None if row is None else int(frame.iloc[row]["id"])
        pager("deals", page)
    linked = links.linked_id("deal")
    if chosen is not None:
        if linked is not None:
            links.close_link("deal")
        _deal_detail(principal, chosen, stages, people_by_id)
    elif linked is not None:
        with linked_slot, st.container(border=True):
            st.button("Close", key="close_linked_deal", icon=":material/close:", type="tertiary",
                      on_click=links.close_link, args=("deal",))
            _deal_detail(principal, linked, stages, people_by_id)


def _owner_choices(principal: Principal, people_by_id: dict[int, str]) -> list:
    return (["mine"] if owns_deals(principal) else []) + ["all", *people_by_id]


def _filters(principal: Principal, stages: dict[int, str], people_by_id: dict[int, str]) -> DealFilters:
    search_col, stage_col, owner_col, date_col, open_col = st.columns([2.6, 2.6, 2.2, 3.2, 1.6],
                                                                      vertical_alignment="bottom")
    search = search_col.text_input("Search", placeholder="Deal or company", key="deal_search", max_chars=100)
    stage_ids = stage_col.multiselect("Stage", list(stages), format_func=stages.get, key="deal_stages",
                                      placeholder="All stages")
    choices = _owner_choices(principal, people_by_id)
    default = "all" if principal.has("crm.manage") or not owns_deals(principal) else "mine"
    owner = owner_col.selectbox(
        "Owner", choices, index=choices.index(default), key="deal_owner",
        format_func=lambda c: {"mine": "My deals", "all": "Everyone"}.get(c) or people_by_id.get(c, "Former user"),
    )
    today = today_utc()
    closing = date_col.date_input("Close date between", value=(), key="deal_dates", format="YYYY-MM-DD",
                                  min_value=today - timedelta(days=3650), max_value=today + timedelta(days=3650))
    open_only = open_col.toggle("Open only", value=True, key="deal_open_only")
    owner_ids = (principal.id,) if owner == "mine" else () if owner == "all" else (int(owner),)
    start, end = (tuple(closing) + (None, None))[:2] if closing else (None, None)
    return DealFilters(search=search.strip(), stage_ids=tuple(stage_ids), owner_ids=owner_ids, close_from=start,
                       close_to=end, open_only=open_only)


def _nothing_found(principal: Principal, filters: DealFilters) -> str:
    if filters.owner_ids == (principal.id,) and not filters.search and not filters.stage_ids:
        return ("You have no open deals. Create one with “New deal” above." if filters.open_only
                else "You have no deals yet. Create one with “New deal” above.")
    if principal.has("crm.write"):
        return "No deals match these filters. Widen them, or create one with “New deal” above."
    return "No deals match these filters. Deals are created by sales reps and managers."


def _new_deal(principal: Principal, stages: dict[int, str], people_by_id: dict[int, str]) -> None:
    expander = lazy_expander("New deal", "new_deal_open", icon=":material/add:")
    if expander is None:
        return
    with expander:
        created = deal_form(principal, stages, people_by_id, deal=None)
    if created is not None:
        toast_next(f"Created “{literal(created.title)}”.")
        st.query_params["deal"] = str(created.id)  # open it
        rerun_tab()


def _deal_detail(principal: Principal, deal_id: int, stages: dict[int, str], people_by_id: dict[int, str]) -> None:
    detail = cached(Database.CRM, deal_service.get_deal, deal_id=deal_id)
    deal = detail.deal
    owner = people_by_id.get(deal.owner_id) or cached(
        Database.AUTH, people.get_user_names, user_ids=(deal.owner_id,)).get(deal.owner_id, "Former user")
    st.subheader(literal(deal.title))
    closes = f"closes {day(deal.close_date)}" if deal.close_date else "no close date"
    st.caption(f"{literal(detail.stage)} · {money(deal.amount)} · {closes} · owner {literal(owner)}")
    links.link_to_company(detail.company, deal.company_id)
    left, right = st.columns([3, 2])
    with left:
        if deal_service.can_edit(principal, deal.owner_id):
            saved = deal_form(principal, stages, people_by_id, deal=deal)
            if saved is not None:
                toast_next(f"Saved “{literal(saved.title)}”.")
                rerun_tab()
        else:
            st.info("Only the deal's owner or a sales manager can change this deal.")
    with right:
        _history(detail.history)
        if principal.has("crm.manage") and st.button("Delete deal…", key=f"delete_deal_{deal.id}"):
            _confirm_delete(deal.id, deal.title)


def _history(history: list) -> None:
    st.markdown("**Stage history**")
    who = tuple(sorted({changed_by for *_rest, changed_by in history if changed_by}))
    names = cached(Database.AUTH, people.get_user_names, user_ids=who) if who else {}
    for changed_at, source, target, changed_by in reversed(history):
        step = f"{literal(source)} → {literal(target)}" if source else f"Created in {literal(target)}"
        by = literal(names.get(changed_by, "Former user")) if changed_by else "the system"
        st.caption(f"{changed_at.day} {changed_at:%b %Y %H:%M} UTC · {step} · by {by}")


@st.dialog("Delete deal")
def _confirm_delete(deal_id: int, title: str) -> None:
    st.write(f"Delete “{literal(title)}” and its stage history? This cannot be undone.")
    if st.button("Delete", type="primary") and submit(
        Database.CRM, deal_service.delete_deal, deal_id=deal_id
    ) is not FAILED:
        st.session_state.pop("deals_table", None)
        links.close_link("deal")
        toast_next(f"Deleted “{literal(title)}”.")
        st.rerun()
