"""The Campaigns & Leads page's leads tab: filtered server-side list, details, score reasons, moves, hand-off.

The tab is one fragment (a filter, a page of the list, a selected row or a form reruns the tab alone); the
list and the lead are read through `cached`, fresh after any write; forms are drawn only while open.
"""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.db import Database
from nexus360.importing.registry import importer_names
from nexus360.marketing.leads import service as lead_service
from nexus360.marketing.leads.service import DISQUALIFY_REASON_MAX, NEXT_STATUS, OPEN_STATUSES
from nexus360.marketing.schemas import LEAD_STATUSES, LeadRead
from nexus360.ui import importer
from nexus360.ui.export import export_buttons
from nexus360.ui.formatting import literal
from nexus360.ui.lists import keyset_page, pager, selectable_table
from nexus360.ui.marketing import handoff
from nexus360.ui.marketing.campaign_form import label
from nexus360.ui.marketing.campaigns import campaign_choices
from nexus360.ui.marketing.lead_form import lead_form
from nexus360.ui.reruns import rerun_section
from nexus360.ui.session import FAILED, cached, call, current_principal, submit

SCORE = st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%d", width=90)
SCORE_RANGE = range(0, 101)


@st.fragment
def leads_tab() -> None:
    principal = current_principal()
    campaigns = campaign_choices()
    search_col, status_col, campaign_col, score_col = st.columns([3, 2, 3, 2])
    search = search_col.text_input("Search", placeholder="Email, name or company", key="lead_search", max_chars=100)
    # "" and 0 stand for All: a None option would read as an empty selectbox.
    status = status_col.selectbox("Status", ["", *LEAD_STATUSES], format_func=lambda s: label(s) if s else "All",
                                  key="lead_status_filter") or None
    campaign_id = campaign_col.selectbox("Campaign", [0, *campaigns], key="lead_campaign_filter",
                                         format_func=lambda c: campaigns.get(c, "All") if c else "All") or None
    # No min/max on the widget: Streamlit would refuse 1000 with only a red border; the message below says why.
    typed_score = score_col.number_input("Minimum score", value=None, step=5, placeholder="0 to 100",
                                         key="lead_min_score", help="Only leads scoring at least this, 0 to 100.")
    min_score = typed_score if typed_score in SCORE_RANGE else None
    if typed_score is not None and min_score is None:
        st.error(f"Minimum score must be between 0 and 100; {typed_score:,} is not. The list is not filtered by "
                 "score.", icon=":material/error:")
    filters = (search.strip(), status, campaign_id, min_score or None)
    if principal.has("marketing.write"):
        new = st.expander("New lead", icon=":material/person_add:", key="new_lead_open", on_change="rerun")
        if new.open:
            with new:
                lead_form(None, campaigns)
    export_buttons(
        "leads",
        lambda: call(Database.MARKETING, lead_service.export_leads, search=filters[0], status=status,
                     campaign_id=campaign_id, min_score=filters[3]),
        name="Leads",
        filters=filters,
    )
    page = keyset_page(
        "leads", filters,
        lambda after: cached(Database.MARKETING, lead_service.list_leads, search=filters[0], status=status,
                             campaign_id=campaign_id, min_score=filters[3], after=after),
    )
    if page.rows.empty:
        _empty_state(principal, filtered=any(filters))
        return
    rows = page.rows
    frame = rows.assign(
        name=(rows["first_name"].fillna("") + " " + rows["last_name"].fillna("")).str.strip(),
        status=rows["status"].map(label),
    )
    # Widths (px) that fit 1440 px with no column cut off; the job title and the rest are in the lead's details.
    text = st.column_config.TextColumn
    chosen = selectable_table(
        "leads_table",
        frame[["name", "company_name", "status", "score", "campaign", "email", "created_at"]],
        column_config={
            "name": text("Name", width=140), "company_name": text("Company", width=150),
            "status": text("Status", width=85), "score": SCORE, "campaign": text("Campaign", width=165),
            "email": text("Email", width=180),
            "created_at": st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD", width=90),
        },
    )
    pager("leads", page)
    if chosen is None:
        more = ", change it or hand it to sales" if principal.has("marketing.write") else ""
        st.caption(f"Newest first. Select a lead to see why it has its score{more}.")
    else:
        row = rows.iloc[chosen]
        campaign = row["campaign"] if isinstance(row["campaign"], str) else None
        _lead_detail(principal, int(row["id"]), campaign, campaigns)


def _empty_state(principal: Principal, *, filtered: bool) -> None:
    if filtered:
        st.info("No leads match these filters. Clear the search, set Status and Campaign to All or lower the "
                "minimum score to see more.", icon=":material/filter_alt_off:")
    elif principal.has("marketing.write"):
        st.info("No leads yet. Add one with New lead above, or bring a list in on the Import tab.",
                icon=":material/person_add:")
    else:
        st.info("No leads yet. Marketers add and import them here.", icon=":material/group:")


def _lead_detail(principal: Principal, lead_id: int, campaign: str | None, campaigns: dict[int, str]) -> None:
    lead = cached(Database.MARKETING, lead_service.get_lead, lead_id=lead_id)
    st.subheader(literal(lead.name))
    size = None if lead.company_size is None else f"{lead.company_size:,} employees"
    facts = [lead.email, lead.company_name, size, lead.job_title, lead.phone, campaign or "no campaign",
             label(lead.status)]
    st.caption(literal(" · ".join(fact for fact in facts if fact)))
    if lead.disqualified_reason:
        st.caption(f"Disqualified: {literal(lead.disqualified_reason)}")
    left, right = st.columns([3, 2])
    with right:
        _score_reasons(lead)
    with left:
        if lead.status == "converted":
            handoff.converted_summary(lead)
        if not principal.has("marketing.write"):
            st.info("Only marketers can change leads.", icon=":material/visibility:")
            return
        if lead.status in OPEN_STATUSES:
            _status_moves(lead)
        if lead.status == "qualified":
            section = st.expander("Hand off to sales", icon=":material/handshake:", expanded=True,
                                  key=f"handoff_{lead.id}_open", on_change="rerun")
            if section.open:
                with section:
                    handoff.handoff_form(lead, campaigns)
        edit = st.expander("Edit lead", icon=":material/edit:", key=f"edit_lead_{lead.id}_open", on_change="rerun")
        if edit.open:
            with edit:
                lead_form(lead, campaigns)


def _score_reasons(lead: LeadRead) -> None:
    st.metric("Score", "–" if lead.score is None else f"{lead.score} / 100", border=True)
    st.markdown("**Why this score**")
    if not lead.score_reasons:
        st.caption("Not scored yet: re-score all leads on the Scoring tab.")
        return
    lines = [f"- {literal(reason)}: **{points:+d}**" for reason, points in lead.score_reasons]
    st.markdown("\n".join(lines))
    total = sum(points for _reason, points in lead.score_reasons)
    if lead.score is not None and total != lead.score and not 0 <= total <= 100:
        st.caption(f"The points add up to {total}; scores are kept between 0 and 100.")


def _status_moves(lead: LeadRead) -> None:
    following = NEXT_STATUS.get(lead.status)
    move_col, disqualify_col = st.columns(2) if following else (None, st.container())
    if following and move_col.button(f"Mark as {following}", key=f"lead_{lead.id}_to_{following}",
                                     icon=":material/arrow_forward:", width="stretch"):
        moved = submit(Database.MARKETING, lead_service.change_lead_status, lead_id=lead.id, status=following)
        if moved is not FAILED:
            st.toast(f"Lead is now {following}.", icon=":material/check_circle:")
            rerun_section()
    with disqualify_col.popover("Disqualify…", icon=":material/block:", width="stretch" if following else "content"):
        with st.form(f"disqualify_{lead.id}"):
            reason = st.text_input("Reason *", placeholder="e.g. student, competitor, no budget",
                                   max_chars=DISQUALIFY_REASON_MAX, key=f"disqualify_{lead.id}_reason")
            confirmed = st.form_submit_button("Disqualify", type="primary")
        if confirmed:
            moved = submit(Database.MARKETING, lead_service.change_lead_status, lead_id=lead.id,
                           status="disqualified", reason=reason)
            if moved is not FAILED:
                st.toast("Lead disqualified.", icon=":material/check_circle:")
                rerun_section()


def import_tab() -> None:
    """CSV import of leads, optionally putting every row on one campaign."""
    if "leads" not in importer_names():
        st.info("Importing leads is not available yet.")
        return
    campaigns = campaign_choices()
    campaign_id = st.selectbox(
        "Put every imported lead on campaign", [0, *campaigns], key="lead_import_campaign",
        format_func=lambda c: campaigns.get(c, "") if c else "— as the file says (or none) —",
        help="Leads are scored as they are imported; emails already on file are flagged as duplicates.",
    )
    # One key whatever the campaign: choosing another campaign keeps the uploaded file and its column mapping.
    importer.render(entity="leads", key="lead_import", options={"campaign_id": campaign_id} if campaign_id else None)
