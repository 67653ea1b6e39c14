"""The Campaigns & Leads page's campaigns tab: the list by start date, details, status moves, history.

The tab is one fragment: a filter, a page of the list, a selected row or a form reruns the tab alone. Reads
go through `cached` (shared by everyone with the same scope, fresh after any write); forms are drawn only
while their expander is open.
"""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.auth.users import service as people
from nexus360.common.money import money_exact
from nexus360.db import Database
from nexus360.marketing.campaigns import service as campaign_service
from nexus360.marketing.campaigns.service import TRANSITIONS
from nexus360.marketing.schemas import CAMPAIGN_STATUSES, CAMPAIGN_TYPES, CampaignRead
from nexus360.ui.formatting import literal
from nexus360.ui.lists import keyset_page, pager, selectable_table
from nexus360.ui.marketing.campaign_form import campaign_form, label
from nexus360.ui.reruns import rerun_section
from nexus360.ui.session import FAILED, cached, current_principal, submit

# Moves that end a campaign for good get a confirmation first.
FINAL_MOVES = {"completed": "Mark completed", "cancelled": "Cancel the campaign"}
MOVE_LABELS = {"active": "Activate", "paused": "Pause", "completed": "Complete…", "cancelled": "Cancel campaign…"}
FIELD_LABELS = {"name": "Name", "type": "Type", "status": "Status", "start_date": "Start", "end_date": "End",
                "budget": "Budget"}
CHOICES_LIMIT = 200  # campaigns offered in pickers, latest first


def campaign_choices() -> dict[int, str]:
    """Campaign names by id, latest start first, for pickers (one page of the largest size)."""
    page = cached(Database.MARKETING, campaign_service.list_campaigns, limit=CHOICES_LIMIT)
    return {int(row.id): row.name for row in page.rows.itertuples()}


@st.fragment
def campaigns_tab() -> None:
    principal = current_principal()
    search_col, status_col, type_col = st.columns([3, 2, 2])
    search = search_col.text_input("Search", placeholder="Campaign name", key="campaign_search", max_chars=100)
    # "" stands for All: a None option would read as an empty selectbox.
    status = status_col.selectbox("Status", ["", *CAMPAIGN_STATUSES], format_func=lambda s: label(s) if s else "All",
                                  key="campaign_status_filter") or None
    type_ = type_col.selectbox("Type", ["", *CAMPAIGN_TYPES], format_func=lambda t: label(t) if t else "All",
                               key="campaign_type_filter") or None
    if principal.has("marketing.write"):
        new = st.expander("New campaign", icon=":material/add:", key="new_campaign_open", on_change="rerun")
        if new.open:
            with new:
                campaign_form(None)
    page = keyset_page(
        "campaigns", (search, status, type_),
        lambda after: cached(Database.MARKETING, campaign_service.list_campaigns, search=search.strip(),
                             status=status, type=type_, after=after),
    )
    if page.rows.empty:
        _empty_state(principal, filtered=bool(search.strip() or status or type_))
        return
    frame = page.rows.assign(type=page.rows["type"].map(label), status=page.rows["status"].map(label),
                             budget=page.rows["budget"].astype(float))
    chosen = selectable_table(
        "campaigns_table",
        frame[["name", "status", "type", "start_date", "end_date", "budget"]],
        column_config={
            "name": st.column_config.TextColumn("Campaign", width="large"),
            "status": "Status",
            "type": "Type",
            "start_date": st.column_config.DateColumn("Start"),
            "end_date": st.column_config.DateColumn("End"),
            "budget": st.column_config.NumberColumn("Budget", format="dollar"),
        },
    )
    pager("campaigns", page)
    if chosen is None:
        st.caption("Latest start date first. Select a campaign to see its details and history.")
    else:
        _campaign_detail(principal, int(page.rows.iloc[chosen]["id"]))


def _empty_state(principal: Principal, *, filtered: bool) -> None:
    if filtered:
        st.info("No campaigns match these filters. Clear the search or set Status and Type to All to see every "
                "campaign.", icon=":material/filter_alt_off:")
    elif principal.has("marketing.write"):
        st.info("No campaigns yet. Plan the first one with New campaign above.", icon=":material/campaign:")
    else:
        st.info("No campaigns yet. Marketers plan them here; you will see them as soon as they do.",
                icon=":material/campaign:")


def _campaign_detail(principal: Principal, campaign_id: int) -> None:
    campaign = cached(Database.MARKETING, campaign_service.get_campaign, campaign_id=campaign_id)
    st.subheader(literal(campaign.name))
    dates = f"{campaign.start_date or 'no start date'} → {campaign.end_date or 'no end date'}"
    budget = "no budget" if campaign.budget is None else f"budget {money_exact(campaign.budget)}"
    st.caption(f"{label(campaign.status)} · {label(campaign.type)} · {dates} · {budget}")
    left, right = st.columns([3, 2])
    with left:
        if principal.has("marketing.write"):
            _status_buttons(campaign)
            edit = st.expander("Edit campaign", icon=":material/edit:", key=f"edit_campaign_{campaign.id}_open",
                               on_change="rerun")
            if edit.open:
                with edit:
                    campaign_form(campaign)
            if st.button("Duplicate", key=f"duplicate_campaign_{campaign.id}", icon=":material/content_copy:",
                         help="A planned copy named 'Copy of …' with the same type, dates and budget."):
                copy = submit(Database.MARKETING, campaign_service.duplicate_campaign, campaign_id=campaign.id)
                if copy is not FAILED:
                    st.toast(f"Created {literal(copy.name)} (planned).", icon=":material/check_circle:")
                    rerun_section()
        else:
            st.info("Only marketers can change campaigns.", icon=":material/visibility:")
    with right:
        _history(campaign.id)


def _status_buttons(campaign: CampaignRead) -> None:
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
        elif _move(campaign.id, move):
            rerun_section()


@st.dialog("Change campaign status")
def _confirm_final_move(campaign_id: int, name: str, move: str) -> None:
    st.write(f"Mark **{literal(name)}** as {move}? A {move} campaign can no longer change status.")
    if st.button(FINAL_MOVES[move], type="primary", key=f"confirm_{move}_{campaign_id}") and _move(campaign_id, move):
        st.rerun()  # the whole page: the dialog closes and the list shows the new status


def _move(campaign_id: int, status: str) -> bool:
    """Change the status; a refusal is shown where the buttons are."""
    if submit(Database.MARKETING, campaign_service.change_status, campaign_id=campaign_id, status=status) is FAILED:
        return False
    st.toast(f"Campaign is now {status}.", icon=":material/check_circle:")
    return True


def _history(campaign_id: int) -> None:
    st.markdown("**History**")
    changes = cached(Database.MARKETING, campaign_service.list_campaign_history, campaign_id=campaign_id)
    if not changes:
        st.caption("No edits yet.")
        return
    user_ids = tuple(sorted({change.changed_by for change in changes if change.changed_by}))
    names = cached(Database.AUTH, people.get_user_names, user_ids=user_ids)
    for change in changes:
        who = names.get(change.changed_by, "a former user") if change.changed_by else "the system"
        what = "; ".join(
            f"{FIELD_LABELS.get(field, field)}: {_shown(field, old)} → {_shown(field, new)}"
            for field, (old, new) in change.changes.items()
        )
        st.caption(literal(f"{change.changed_at:%Y-%m-%d %H:%M} · {who} · {what}"))


def _shown(field: str, value: object) -> str:
    if value is None or value == "":
        return "none"
    if field == "budget":
        return money_exact(Decimal(str(value)))
    if field in ("type", "status"):
        return label(str(value))
    return str(value)
