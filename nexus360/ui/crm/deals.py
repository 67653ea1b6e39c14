"""The CRM page's deals: filtered list, detail with stage history, create and edit forms."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.auth.users import service as people
from nexus360.common.errors import ValidationError
from nexus360.common.money import money
from nexus360.common.periods import today_utc
from nexus360.common.validation import parse
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealCreate, DealFilters, DealUpdate
from nexus360.db import Database
from nexus360.ui.confirm import duplicates_accepted
from nexus360.ui.crm.pickers import company_picker
from nexus360.ui.export import export_buttons
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.lists import keyset_page, pager, selectable_table
from nexus360.ui.session import FAILED, call, current_principal, submit

MONEY = st.column_config.NumberColumn(format="dollar")


def owners() -> dict[int, str]:
    """Active sellers and managers by id, for pickers and filters."""
    rows = call(Database.AUTH, people.list_people, roles=("sales_rep", "sales_manager", "admin"))
    return {user_id: name for user_id, name, _email, _active in rows}


def deals_tab(reference: dict) -> None:
    principal = current_principal()
    stages = dict(reference["stages"])
    people_by_id = owners()
    filters = _filters(principal, stages, people_by_id)
    page = keyset_page(
        "deals", (filters,), lambda after: call(Database.CRM, deal_service.list_deals, filters=filters, after=after)
    )
    if principal.has("crm.write"):
        with st.expander("New deal", icon=":material/add:"):
            _deal_form(principal, stages, people_by_id, deal=None)
    export_buttons(
        "deals",
        lambda: call(Database.CRM, deal_service.export_deals, filters=filters),
        name="Deals",
        filters=(filters,),
    )
    if page.rows.empty:
        st.info("No deals match these filters.")
        return
    names = call(Database.AUTH, people.get_user_names, user_ids=page.rows["owner_id"].tolist())
    frame = page.rows.assign(owner=page.rows["owner_id"].map(names).fillna("(unknown user)"))
    chosen = selectable_table(
        "deals_table",
        frame[["title", "company", "stage", "amount", "close_date", "owner"]],
        column_config={
            "title": "Deal",
            "company": "Company",
            "stage": "Stage",
            "owner": "Owner",
            "amount": st.column_config.NumberColumn("Amount", format="dollar"),
            "close_date": st.column_config.DateColumn("Close date"),
        },
    )
    pager("deals", page)
    if chosen is not None:
        _deal_detail(principal, int(frame.iloc[chosen]["id"]), stages, people_by_id)


def _filters(principal: Principal, stages: dict[int, str], people_by_id: dict[int, str]) -> DealFilters:
    search_col, stage_col, owner_col, date_col, open_col = st.columns([3, 3, 2, 3, 1.4], vertical_alignment="bottom")
    search = search_col.text_input("Search", placeholder="Deal or company", key="deal_search")
    stage_ids = stage_col.multiselect("Stage", list(stages), format_func=stages.get, key="deal_stages")
    choices = ["mine", "all", *people_by_id]
    default = 0 if not principal.has("crm.manage") else 1
    owner = owner_col.selectbox(
        "Owner",
        choices,
        index=default,
        key="deal_owner",
        format_func=lambda c: {"mine": "My deals", "all": "Everyone"}.get(c, people_by_id.get(c, c)),
    )
    today = today_utc()
    closing = date_col.date_input("Close date", value=(), key="deal_dates", min_value=today - timedelta(days=3650))
    open_only = open_col.toggle("Open only", value=True, key="deal_open_only")
    owner_ids = (principal.id,) if owner == "mine" else () if owner == "all" else (int(owner),)
    start, end = (tuple(closing) + (None, None))[:2] if closing else (None, None)
    return DealFilters(
        search=search,
        stage_ids=tuple(stage_ids),
        owner_ids=owner_ids,
        close_from=start,
        close_to=end,
        open_only=open_only,
    )


def _deal_detail(principal: Principal, deal_id: int, stages: dict[int, str], people_by_id: dict[int, str]) -> None:
    detail = call(Database.CRM, deal_service.get_deal, deal_id=deal_id)
    deal = detail.deal
    st.subheader(escape_markdown(deal.title))
    st.caption(f"{detail.stage} · {money(deal.amount)} · closes {deal.close_date or 'unset'}")
    left, right = st.columns([3, 2])
    with left:
        if deal_service.can_edit(principal, deal.owner_id):
            _deal_form(principal, stages, people_by_id, deal=deal)
        else:
            st.info("Only the owner or a sales manager can change this deal.")
    with right:
        st.markdown("**Stage history**")
        names = call(Database.AUTH, people.get_user_names, user_ids=[h[3] for h in detail.history if h[3]])
        for changed_at, source, target, who in reversed(detail.history):
            step = f"{source} → {target}" if source else f"Created in {target}"
            st.caption(f"{changed_at:%Y-%m-%d %H:%M} · {step} · {escape_markdown(names.get(who, 'system'))}")
        if principal.has("crm.manage") and st.button("Delete deal…", key=f"delete_deal_{deal.id}"):
            _confirm_delete(deal.id, deal.title)


@st.dialog("Delete deal")
def _confirm_delete(deal_id: int, title: str) -> None:
    st.write(f"Delete **{escape_markdown(title)}** and its stage history? This cannot be undone.")
    if (
        st.button("Delete", type="primary")
        and submit(Database.CRM, deal_service.delete_deal, deal_id=deal_id) is not FAILED
    ):
        st.session_state.pop("deals_table", None)
        st.cache_data.clear()
        st.rerun()


def _deal_form(principal: Principal, stages: dict[int, str], people_by_id: dict[int, str], *, deal) -> None:
    key = f"deal_form_{deal.id if deal else 'new'}"
    company_id = company_picker(key, deal.company_id if deal else None)  # outside the form: it searches live
    with st.form(key):
        title = st.text_input("Title *", value=deal.title if deal else "", max_chars=255)
        stage_ids = list(stages)
        stage_id = st.selectbox(
            "Stage *", stage_ids, format_func=stages.get, index=stage_ids.index(deal.stage_id) if deal else 0
        )
        amount = st.number_input(
            "Amount ($)", min_value=0.0, step=1000.0, value=float(deal.amount or 0) if deal else 0.0
        )
        close_date = st.date_input("Close date", value=deal.close_date if deal else today_utc() + timedelta(days=30))
        owner_ids = list(people_by_id)
        current_owner = deal.owner_id if deal else principal.id
        owner_id = st.selectbox(
            "Owner *",
            owner_ids,
            format_func=people_by_id.get,
            disabled=not principal.has("crm.manage"),
            index=owner_ids.index(current_owner) if current_owner in owner_ids else 0,
        )
        saved = st.form_submit_button("Save changes" if deal else "Create deal", type="primary")
    if saved:
        _save_deal(
            deal,
            title=title,
            company_id=company_id,
            stage_id=stage_id,
            amount=amount,
            close_date=close_date,
            owner_id=owner_id if principal.has("crm.manage") else current_owner,
        )


def _save_deal(deal, **values) -> None:
    if values["company_id"] is None:
        st.error("Company is required.")
        return
    try:
        data = parse(DealUpdate if deal else DealCreate, **values)
    except ValidationError as error:
        st.error(str(error))
        return
    if deal is None:
        duplicates = call(Database.CRM, deal_service.find_duplicate_deals, title=data.title, company_id=data.company_id)
        title = duplicates[0][1] if duplicates else ""
        if not duplicates_accepted(
            "deal_new", duplicates,
            f"This company already has a deal called '{title}'. Press Create again to add another one anyway.",
        ):
            return
        saved = submit(Database.CRM, deal_service.create_deal, data=data, with_auth=True)
    else:
        saved = submit(Database.CRM, deal_service.update_deal, deal_id=deal.id, data=data, with_auth=True)
    if saved is not FAILED:
        st.cache_data.clear()
        st.toast(f"Saved '{saved.title}'.", icon=":material/check_circle:")
