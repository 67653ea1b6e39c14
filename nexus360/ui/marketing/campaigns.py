"""The Campaigns & Leads page's campaigns tab: filtered list, details, edit form, status moves, history."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.auth.users import service as people
from nexus360.common.errors import ValidationError
from nexus360.common.money import money
from nexus360.common.periods import today_utc
from nexus360.common.validation import parse
from nexus360.db import Database
from nexus360.marketing.campaigns import service as campaign_service
from nexus360.marketing.campaigns.service import TRANSITIONS
from nexus360.marketing.schemas import CAMPAIGN_STATUSES, CAMPAIGN_TYPES, CampaignCreate, CampaignUpdate
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.lists import keyset_page, pager, selectable_table
from nexus360.ui.session import FAILED, call, current_principal, submit

# Moves that end a campaign for good get a confirmation first.
FINAL_MOVES = {"completed": "Mark completed", "cancelled": "Cancel the campaign"}
MOVE_LABELS = {"active": "Activate", "paused": "Pause", "completed": "Complete…", "cancelled": "Cancel campaign…"}
FIELD_LABELS = {"name": "Name", "type": "Type", "status": "Status", "start_date": "Start", "end_date": "End",
                "budget": "Budget"}


def label(value: str | None) -> str:
    """'paid_search' -> 'Paid search': how a type or status reads on screen."""
    return (value or "–").replace("_", " ").capitalize()


def campaign_choices() -> dict[int, str]:
    """Campaign names by id, newest first, for pickers (one page of the largest size)."""
    page = call(Database.MARKETING, campaign_service.list_campaigns, limit=200)
    return {int(row.id): row.name for row in page.rows.itertuples()}


def campaigns_tab() -> None:
    principal = current_principal()
    search_col, status_col, type_col = st.columns([3, 2, 2])
    search = search_col.text_input("Search", placeholder="Campaign name", key="campaign_search")
    # "" stands for All: a None option would read as an empty selectbox.
    status = status_col.selectbox("Status", ["", *CAMPAIGN_STATUSES], format_func=lambda s: label(s) if s else "All",
                                  key="campaign_status_filter") or None
    type_ = type_col.selectbox("Type", ["", *CAMPAIGN_TYPES], format_func=lambda t: label(t) if t else "All",
                               key="campaign_type_filter") or None
    filters = (search, status, type_)
    page = keyset_page(
        "campaigns", filters,
        lambda after: call(Database.MARKETING, campaign_service.list_campaigns, search=search, status=status,
                           type=type_, after=after),
    )
    if principal.has("marketing.write"):
        with st.expander("New campaign", icon=":material/add:"):
            _campaign_form(None)
    if page.rows.empty:
        st.info("No campaigns match these filters.")
        return
    frame = page.rows.assign(type=page.rows["type"].map(label), status=page.rows["status"].map(label))
    chosen = selectable_table(
        "campaigns_table",
        frame[["name", "status", "type", "start_date", "end_date", "budget"]],
        column_config={
            "name": "Campaign",
            "status": "Status",
            "type": "Type",
            "start_date": st.column_config.DateColumn("Start"),
            "end_date": st.column_config.DateColumn("End"),
            "budget": st.column_config.NumberColumn("Budget", format="dollar"),
        },
    )
    pager("campaigns", page)
    if chosen is None:
        st.caption("Select a campaign to see its details and history.")
    else:
        _campaign_detail(principal, int(page.rows.iloc[chosen]["id"]))


def _campaign_detail(principal: Principal, campaign_id: int) -> None:
    campaign = call(Database.MARKETING, campaign_service.get_campaign, campaign_id=campaign_id)
    st.subheader(escape_markdown(campaign.name))
    dates = f"{campaign.start_date or 'no start'} → {campaign.end_date or 'no end'}"
    st.caption(f"{label(campaign.status)} · {label(campaign.type)} · {dates} · budget {money(campaign.budget)}")
    left, right = st.columns([3, 2])
    with left:
        if principal.has("marketing.write"):
            _status_buttons(campaign)
            with st.expander("Edit campaign", icon=":material/edit:"):
                _campaign_form(campaign)
            if st.button("Duplicate", key=f"duplicate_campaign_{campaign.id}", icon=":material/content_copy:"):
                copy = submit(Database.MARKETING, campaign_service.duplicate_campaign, campaign_id=campaign.id)
                if copy is not FAILED:
                    st.cache_data.clear()
                    st.toast(f"Created '{copy.name}' (planned).", icon=":material/check_circle:")
        else:
            st.info("Only marketers can change campaigns.", icon=":material/visibility:")
    with right:
        _history(campaign.id)


def _status_buttons(campaign) -> None:
    moves = TRANSITIONS.get(campaign.status, ())
    if not moves:
        st.caption(f"This campaign is {campaign.status}; its status can no longer change.")
        return
    columns = st.columns(len(moves))
    for column, move in zip(columns, moves, strict=True):
        if not column.button(MOVE_LABELS[move], key=f"campaign_{campaign.id}_to_{move}", width="stretch"):
            continue
        if move in FINAL_MOVES:
            _confirm_final_move(campaign.id, campaign.name, move)
        else:
            _move(campaign.id, move)


@st.dialog("Change campaign status")
def _confirm_final_move(campaign_id: int, name: str, move: str) -> None:
    st.write(f"Mark **{escape_markdown(name)}** as {move}? A {move} campaign can no longer change status.")
    if st.button(FINAL_MOVES[move], type="primary", key=f"confirm_{move}_{campaign_id}"):
        _move(campaign_id, move)


def _move(campaign_id: int, status: str) -> None:
    if submit(Database.MARKETING, campaign_service.change_status, campaign_id=campaign_id, status=status) is FAILED:
        return
    st.cache_data.clear()
    st.toast(f"Campaign is now {status}.", icon=":material/check_circle:")
    st.rerun()


def _history(campaign_id: int) -> None:
    st.markdown("**History**")
    changes = call(Database.MARKETING, campaign_service.list_campaign_history, campaign_id=campaign_id)
    if not changes:
        st.caption("No edits yet.")
        return
    names = call(Database.AUTH, people.get_user_names, user_ids=[c.changed_by for c in changes if c.changed_by])
    for change in changes:
        who = names.get(change.changed_by, "system") if change.changed_by else "system"
        what = "; ".join(
            f"{FIELD_LABELS.get(field, field)}: {_shown(field, old)} → {_shown(field, new)}"
            for field, (old, new) in change.changes.items()
        )
        st.caption(escape_markdown(f"{change.changed_at:%Y-%m-%d %H:%M} · {who} · {what}"))


def _shown(field: str, value) -> str:
    if value is None or value == "":
        return "none"
    if field == "budget":
        return f"${float(value):,.0f}"
    if field in ("type", "status"):
        return label(value)
    return str(value)


def _campaign_form(campaign) -> None:
    key = f"campaign_form_{campaign.id if campaign else 'new'}"
    today = today_utc()
    with st.form(key):
        name = st.text_input("Name *", value=campaign.name if campaign else "", max_chars=255, key=f"{key}_name")
        type_col, status_col = st.columns(2)
        types = list(CAMPAIGN_TYPES)
        type_ = type_col.selectbox("Type *", types, format_func=label,
                                   index=types.index(campaign.type) if campaign and campaign.type in types else 0)
        # A new campaign starts planned; an edit may keep the status or take one of its allowed moves.
        statuses = [campaign.status, *TRANSITIONS.get(campaign.status, ())] if campaign else ["planned", "active"]
        status = status_col.selectbox("Status", statuses, format_func=label)
        start_col, end_col = st.columns(2)
        start = start_col.date_input("Start date", value=campaign.start_date if campaign else today,
                                     min_value=today - timedelta(days=3650), key=f"{key}_start")
        end = end_col.date_input("End date", value=campaign.end_date if campaign else today + timedelta(days=30),
                                 min_value=today - timedelta(days=3650), key=f"{key}_end")
        budget = st.number_input("Budget ($)", min_value=0.0, step=1000.0, key=f"{key}_budget",
                                 value=float(campaign.budget or 0) if campaign else 0.0)
        saved = st.form_submit_button("Save changes" if campaign else "Create campaign", type="primary",
                                      key=f"{key}_save")
    if not saved:
        return
    try:
        data = parse(CampaignUpdate if campaign else CampaignCreate, name=name, type=type_, status=status,
                     start_date=start, end_date=end, budget=budget or None)
    except ValidationError as error:
        st.error(str(error))
        return
    if campaign is None:
        result = submit(Database.MARKETING, campaign_service.create_campaign, data=data)
    else:
        result = submit(Database.MARKETING, campaign_service.update_campaign, campaign_id=campaign.id, data=data)
    if result is not FAILED:
        st.cache_data.clear()
        st.toast(f"Saved '{result.name}'.", icon=":material/check_circle:")
        if campaign is not None:
            st.rerun()  # the caption and history above the form show the new values
