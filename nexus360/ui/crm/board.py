"""The pipeline board: open deals grouped by stage with totals; a rep moves a deal in two clicks."""

from __future__ import annotations

import streamlit as st

from nexus360.common.money import money
from nexus360.crm.deals import flows as deal_flows
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealFilters
from nexus360.db import Database
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import FAILED, call, current_principal, submit_flow

CARDS_PER_STAGE = 6


def board_tab(reference: dict) -> None:
    principal = current_principal()
    mine = st.toggle("Only my deals", value=not principal.has("crm.manage"), key="board_mine")
    owner_ids = (principal.id,) if mine else ()
    board = call(Database.CRM, deal_service.get_board, owner_ids=owner_ids)
    if board["deals"].sum() == 0:
        st.info("No open deals here yet. Create one on the Deals tab.")
        return
    stages = dict(reference["stages"])
    columns = st.columns(len(board))
    for column, stage in zip(columns, board.itertuples(), strict=True):
        with column:
            st.markdown(f"**{escape_markdown(stage.stage)}**")
            st.caption(f"{stage.deals:,} deals · {money(stage.amount)}")
            filters = DealFilters(stage_ids=(stage.stage_id,), owner_ids=owner_ids)
            page = call(Database.CRM, deal_service.list_deals, filters=filters, limit=CARDS_PER_STAGE)
            for deal in page.rows.itertuples():
                _card(principal, deal, stages)
            if stage.deals > len(page.rows):
                st.caption(f"+ {stage.deals - len(page.rows):,} more on the Deals tab")


def _card(principal, deal, stages: dict[int, str]) -> None:
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(deal.title)}**")
        st.caption(f"{escape_markdown(deal.company)} · {money(deal.amount)} · {deal.close_date or 'no date'}")
        if not deal_service.can_edit(principal, deal.owner_id):
            return
        ids = list(stages)
        target = st.selectbox(
            "Move to", ids, index=ids.index(deal.stage_id), format_func=stages.get, key=f"move_{deal.id}",
            label_visibility="collapsed",
        )
        if target != deal.stage_id and submit_flow(
            deal_flows.move_deal_stage, deal_id=int(deal.id), stage_id=target
        ) is not FAILED:
            st.cache_data.clear()
            st.toast(f"Moved '{deal.title}' to {stages[target]}.", icon=":material/check_circle:")
            st.session_state.pop(f"move_{deal.id}", None)
            st.rerun()
