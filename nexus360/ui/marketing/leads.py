"""The Campaigns & Leads page's leads tab: filtered server-side list, details, score reasons, forms, moves."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.errors import ValidationError
from nexus360.common.validation import parse
from nexus360.db import Database
from nexus360.importing.registry import importer_names
from nexus360.marketing.leads import service as lead_service
from nexus360.marketing.leads.service import NEXT_STATUS, OPEN_STATUSES
from nexus360.marketing.schemas import LEAD_STATUSES, MAX_COMPANY_SIZE, LeadCreate, LeadUpdate
from nexus360.ui import importer
from nexus360.ui.confirm import duplicates_accepted
from nexus360.ui.export import export_buttons
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.lists import keyset_page, pager, selectable_table
from nexus360.ui.marketing import handoff
from nexus360.ui.marketing.campaigns import label
from nexus360.ui.session import FAILED, call, current_principal, submit

SCORE = st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%d")


def leads_tab(campaigns: dict[int, str]) -> None:
    principal = current_principal()
    search_col, status_col, campaign_col, score_col = st.columns([3, 2, 3, 2])
    search = search_col.text_input("Search", placeholder="Email, name or company", key="lead_search")
    # "" and 0 stand for All: a None option would read as an empty selectbox.
    status = status_col.selectbox("Status", ["", *LEAD_STATUSES], format_func=lambda s: label(s) if s else "All",
                                  key="lead_status_filter") or None
    campaign_id = campaign_col.selectbox("Campaign", [0, *campaigns], key="lead_campaign_filter",
                                         format_func=lambda c: campaigns.get(c, "All") if c else "All") or None
    min_score = score_col.number_input("Minimum score", min_value=0, max_value=100, value=0, step=5,
                                       key="lead_min_score") or None
    filters = (search, status, campaign_id, min_score)
    page = keyset_page(
        "leads", filters,
        lambda after: call(Database.MARKETING, lead_service.list_leads, search=search, status=status,
                           campaign_id=campaign_id, min_score=min_score, after=after),
    )
    if principal.has("marketing.write"):
        with st.expander("New lead", icon=":material/person_add:"):
            _lead_form(None, campaigns)
    export_buttons(
        "leads",
        lambda: call(Database.MARKETING, lead_service.export_leads, search=search, status=status,
                     campaign_id=campaign_id, min_score=min_score),
        name="Leads",
        filters=filters,
    )
    if page.rows.empty:
        st.info("No leads match these filters.")
        return
    rows = page.rows
    frame = rows.assign(
        name=(rows["first_name"].fillna("") + " " + rows["last_name"].fillna("")).str.strip(),
        campaign=rows["campaign_id"].map(lambda c: campaigns.get(int(c), f"Campaign {int(c)}") if pd.notna(c) else ""),
        status=rows["status"].map(label),
        job_title=rows["job_title"].fillna(""),
    )
    chosen = selectable_table(
        "leads_table",
        frame[["name", "company_name", "status", "score", "campaign", "email", "job_title", "created_at"]],
        column_config={
            "name": "Name", "email": "Email", "company_name": "Company", "job_title": "Job title",
            "campaign": "Campaign", "status": "Status", "score": SCORE,
            "created_at": st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD"),
        },
    )
    pager("leads", page)
    if chosen is None:
        more = ", change it or hand it to sales" if principal.has("marketing.write") else ""
        st.caption(f"Select a lead to see why it has its score{more}.")
    else:
        _lead_detail(principal, int(rows.iloc[chosen]["id"]), campaigns)


def _lead_detail(principal: Principal, lead_id: int, campaigns: dict[int, str]) -> None:
    lead = call(Database.MARKETING, lead_service.get_lead, lead_id=lead_id)
    st.subheader(escape_markdown(lead.name))
    campaign = campaigns.get(lead.campaign_id, "no campaign") if lead.campaign_id else "no campaign"
    size = None if lead.company_size is None else f"{lead.company_size:,} employees"
    facts = [lead.email, lead.company_name, size, lead.job_title, lead.phone, campaign, label(lead.status)]
    st.caption(escape_markdown(" · ".join(fact for fact in facts if fact)))
    if lead.disqualified_reason:
        st.caption(f"Disqualified: {escape_markdown(lead.disqualified_reason)}")
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
            with st.expander("Hand off to sales", icon=":material/handshake:", expanded=True):
                handoff.handoff_form(lead, campaigns)
        with st.expander("Edit lead", icon=":material/edit:"):
            _lead_form(lead, campaigns)


def _score_reasons(lead) -> None:
    st.metric("Score", "–" if lead.score is None else f"{lead.score} / 100", border=True)
    st.markdown("**Why this score**")
    if not lead.score_reasons:
        st.caption("Not scored yet: re-score all leads on the Scoring tab.")
        return
    lines = [f"- {escape_markdown(reason)}: **{points:+d}**" for reason, points in lead.score_reasons]
    st.markdown("\n".join(lines))
    total = sum(points for _reason, points in lead.score_reasons)
    if lead.score is not None and total != lead.score and not 0 <= total <= 100:
        st.caption(f"The points add up to {total}; scores are kept between 0 and 100.")


def _status_moves(lead) -> None:
    following = NEXT_STATUS.get(lead.status)
    move_col, disqualify_col = st.columns(2) if following else (None, st.container())
    if following and move_col.button(f"Mark as {following}", key=f"lead_{lead.id}_to_{following}",
                                     icon=":material/arrow_forward:", width="stretch"):
        moved = submit(Database.MARKETING, lead_service.change_lead_status, lead_id=lead.id, status=following)
        if moved is not FAILED:
            st.toast(f"Lead is now {following}.", icon=":material/check_circle:")
            st.rerun()
    with disqualify_col.popover("Disqualify…", icon=":material/block:", width="stretch" if following else "content"):
        with st.form(f"disqualify_{lead.id}"):
            reason = st.text_input("Reason *", placeholder="e.g. student, competitor, no budget")
            confirmed = st.form_submit_button("Disqualify", type="primary")
        if confirmed:
            moved = submit(Database.MARKETING, lead_service.change_lead_status, lead_id=lead.id,
                           status="disqualified", reason=reason)
            if moved is not FAILED:
                st.toast("Lead disqualified.", icon=":material/check_circle:")
                st.rerun()


def _lead_form(lead, campaigns: dict[int, str]) -> None:
    key = f"lead_form_{lead.id if lead else 'new'}"
    with st.form(key):
        email = st.text_input("Email *", value=lead.email if lead else "", max_chars=255, key=f"{key}_email")
        first_col, last_col = st.columns(2)
        first_name = first_col.text_input("First name", value=(lead.first_name or "") if lead else "")
        last_name = last_col.text_input("Last name", value=(lead.last_name or "") if lead else "")
        company_col, title_col = st.columns(2)
        company_name = company_col.text_input("Company", value=(lead.company_name or "") if lead else "")
        job_title = title_col.text_input("Job title", value=(lead.job_title or "") if lead else "")
        phone_col, size_col = st.columns(2)
        phone = phone_col.text_input("Phone", value=(lead.phone or "") if lead else "")
        company_size = size_col.number_input(
            "Company size (employees)", min_value=0, max_value=MAX_COMPANY_SIZE, step=1, format="%d",
            value=lead.company_size if lead else None, placeholder="unknown", key=f"{key}_company_size",
            help="Number of employees; scoring rules can give points by company size. Leave empty if unknown.",
        )
        choices = [None, *campaigns]
        current = lead.campaign_id if lead else None
        campaign_id = st.selectbox("Campaign", choices, index=choices.index(current) if current in choices else 0,
                                   format_func=lambda c: campaigns.get(c, "—") if c else "—")
        saved = st.form_submit_button("Save changes" if lead else "Create lead", type="primary", key=f"{key}_save")
    if not saved:
        return
    try:
        data = parse(LeadUpdate if lead else LeadCreate, email=email, first_name=first_name, last_name=last_name,
                     company_name=company_name, job_title=job_title, phone=phone, campaign_id=campaign_id,
                     company_size=company_size)
    except ValidationError as error:
        st.error(str(error))
        return
    duplicates = call(Database.MARKETING, lead_service.find_duplicate_leads, email=data.email,
                      exclude_id=lead.id if lead else None)
    button = "Save changes" if lead else "Create lead"
    if not duplicates_accepted(
        key, duplicates,
        f"A lead with {data.email} already exists ({len(duplicates)}). Press {button} again to keep both.",
    ):
        return
    if lead is None:
        created = submit(Database.MARKETING, lead_service.create_lead, data=data)
        if created is not FAILED:
            st.toast(f"Added {created.lead.email} with score {created.lead.score}.", icon=":material/check_circle:")
    else:
        updated = submit(Database.MARKETING, lead_service.update_lead, lead_id=lead.id, data=data)
        if updated is not FAILED:
            st.toast(f"Saved {updated.email}.", icon=":material/check_circle:")
            st.rerun()


def import_tab(campaigns: dict[int, str]) -> None:
    """CSV import of leads, optionally putting every row on one campaign."""
    if "leads" not in importer_names():
        st.info("Importing leads is not available yet.")
        return
    campaign_id = st.selectbox(
        "Put every imported lead on campaign", [0, *campaigns], key="lead_import_campaign",
        format_func=lambda c: campaigns.get(c, "") if c else "— as the file says (or none) —",
        help="Leads are scored as they are imported; emails already on file are flagged as duplicates.",
    )
    # One key whatever the campaign: choosing another campaign keeps the uploaded file and its column mapping.
    importer.render(entity="leads", key="lead_import", options={"campaign_id": campaign_id} if campaign_id else None)
