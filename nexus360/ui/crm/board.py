"""The pipeline board: open deals grouped by stage with totals; a rep moves a deal in two clicks.

The tab is a fragment (its toggle and moves rerun it alone); the board's totals and its cards are two cached
reads (the cards of every stage in one statement).
"""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money
from nexus360.crm.deals import flows as deal_flows
from nexus360.crm.deals import service as deal_service
from nexus360.db import Database
from nexus360.ui.crm import links
from nexus360.ui.crm.common import closes, rerun_tab, show_toasts, toast_next
from nexus360.ui.formatting import literal
from nexus360.ui.session import FAILED, cached, current_principal, submit_flow

CARDS_PER_STAGE = 3  # each card costs the browser: the rest of a stage is one click away ("N more")


def owns_deals(principal: Principal) -> bool:
    """Whether "my deals" means anything: those who may write deals own them (marketers do not)."""
    return principal.has("crm.write")


@st.fragment
def board_tab(reference: dict) -> None:
    principal = current_principal()
    show_toasts()
    mine = owns_deals(principal) and st.toggle(
        "Only my deals", value=not principal.has("crm.manage"), key="board_mine"
    )
    owner_ids = (principal.id,) if mine else ()
    board = cached(Database.CRM, deal_service.get_board, shared=True, owner_ids=owner_ids)
    if board["deals"].sum() == 0:
        st.info(_empty_board(principal, mine))
        return
    cards = cached(Database.CRM, deal_service.get_board_cards, shared=True, owner_ids=owner_ids,
                   per_stage=CARDS_PER_STAGE)
    stages = dict(reference["stages"])
    for column, stage in zip(st.columns(len(board)), board.itertuples(), strict=True):
        with column:
            st.markdown(f"**{literal(stage.stage)}**")
            st.caption(f"{stage.deals:,} deals · {money(stage.amount)}")
            shown = cards[cards["stage_id"] == stage.stage_id]
            for deal in shown.itertuples():
                _card(principal, deal, stages)
            if stage.deals > len(shown):
                st.button(f"{stage.deals - len(shown):,} more", key=f"more_{stage.stage_id}", type="tertiary",
                          icon=":material/list:", help=f"All open deals in {literal(stage.stage)} on the Deals tab",
                          on_click=links.open_stage_deals, args=(int(stage.stage_id),))


def _empty_board(principal: Principal, mine: bool) -> str:
    if mine:
        return "You have no open deals. Create one on the Deals tab, or turn off “Only my deals” to see the team's."
    if principal.has("crm.write"):
        return "No open deals yet. Create one on the Deals tab."
    return "No open deals yet. Deals that sales reps create show here by stage."


def _card(principal: Principal, deal, stages: dict[int, str]) -> None:
    with st.container(border=True, key=f"card_{deal.id}"):
        title, open_ = st.columns([5, 1])
        title.markdown(f"**{literal(deal.title)}**")
        open_.button("", key=f"open_{deal.id}", icon=":material/open_in_new:", type="tertiary",
                     help="Open this deal on the Deals tab", on_click=links.open_deal, args=(int(deal.id),))
        st.caption(f"{literal(deal.company)} · {money(deal.amount)} · {closes(deal.close_date)}")
        if not deal_service.can_edit(principal, int(deal.owner_id)):
            return
        # A menu button, not a select box: a board shows dozens of cards, and a select box costs the browser
        # several times what a button does (README, "Pages as a person feels them"). Still two clicks.
        target = st.menu_button("Move to", [stage for stage in stages if stage != deal.stage_id],
                                format_func=stages.get, key=f"move_{deal.id}", type="tertiary",
                                icon=":material/arrow_forward:")
        if target is not None and submit_flow(
            deal_flows.move_deal_stage, deal_id=int(deal.id), stage_id=target
        ) is not FAILED:
            toast_next(f"Moved “{literal(deal.title)}” to {literal(stages[target])}.")
            rerun_tab()
