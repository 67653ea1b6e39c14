"""Campaigns & Leads page under AppTest: the leads tab (filters, forms, moves) and the hand-off to sales."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select
from streamlit.testing.v1 import AppTest

from nexus360.crm.models import Company, Contact, Deal
from nexus360.db import Database, session_scope
from nexus360.marketing.repository import LEADS
from nexus360.notifications.models import Notification
from tests.pages.apptest import principal_for, shown
from tests.pages.marketing_app import PAYLOAD, errors, open_campaigns_as, open_expander, select_row, table, widget

pytestmark = pytest.mark.usefixtures("seeded")

NEW = "lead_form_new"


@pytest.fixture
def qualified_lead() -> Iterator[dict]:
    """A qualified lead at a fresh company domain; it and whatever its hand-off created are deleted afterwards."""
    token = uuid.uuid4().hex[:8]
    values = {"email": f"grace.{token}@apptest-{token}.example", "first_name": "Grace", "last_name": f"Test{token}",
              "company_name": f"AppTest Corp {token}", "job_title": "VP Operations", "status": "qualified",
              "score": 70, "score_reasons": [["Base score", 50], ["Job title mentions 'vp'", 20]]}
    with session_scope(Database.MARKETING, admin=True) as session:
        lead_id = session.execute(LEADS.insert().values(**values).returning(LEADS.c.id)).scalar_one()
    yield {"id": lead_id, "token": token, **values}
    with session_scope(Database.CRM, admin=True) as session:
        session.execute(delete(Deal).where(Deal.title.like(f"%{token}%")))
        session.execute(delete(Contact).where(Contact.email == values["email"]))
        session.execute(delete(Company).where(Company.name.like(f"%{token}%")))
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        session.execute(delete(Notification).where(Notification.title.like(f"%{token}%")))
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(delete(LEADS).where(LEADS.c.email.ilike(f"%{token}%")))


def open_leads_as(username: str) -> AppTest:
    return open_campaigns_as(username, "Leads")


def open_lead(app: AppTest, email: str) -> AppTest:
    widget(app, "text_input", "lead_search").input(email)
    app.run()
    return select_row(app, "leads_table", 0)


def lead_status(lead_id: int) -> str:
    with session_scope(Database.MARKETING, admin=True) as session:
        return session.scalar(select(LEADS.c.status).where(LEADS.c.id == lead_id))


# --- the list ------------------------------------------------------------------------------------


def test_the_list_filters_by_minimum_score_on_the_server() -> None:
    app = open_leads_as("manager")
    widget(app, "number_input", "lead_min_score").set_value(80).run()
    assert not app.exception and not errors(app)
    scores = table(app, "leads_table").value["score"]
    assert len(scores) > 0 and (scores >= 80).all()


@pytest.mark.parametrize("typed", [1000, -5])
def test_a_minimum_score_out_of_range_is_refused_by_name_and_filters_nothing(typed: int) -> None:
    app = open_leads_as("manager")
    everything = table(app, "leads_table").value
    widget(app, "number_input", "lead_min_score").set_value(typed).run()
    assert errors(app) == [f"Minimum score must be between 0 and 100; {typed:,} is not. The list is not filtered "
                           "by score."]
    assert table(app, "leads_table").value.equals(everything)
    assert "0 to 100" in widget(app, "number_input", "lead_min_score").help


def test_the_next_page_shows_older_leads() -> None:
    app = open_leads_as("manager")
    first = table(app, "leads_table").value
    next(button for button in app.button if button.key == "leads_next").click().run()
    second = table(app, "leads_table").value
    assert not app.exception
    assert any("Page 2" in caption.value for caption in app.caption)
    assert first["created_at"].min() >= second["created_at"].max()


def test_every_lead_shows_its_campaign_by_name() -> None:
    campaigns = table(open_leads_as("manager"), "leads_table").value["campaign"].dropna()
    assert len(campaigns) > 0 and not campaigns.str.match(r"Campaign \d+$").any()


# --- a lead --------------------------------------------------------------------------------------


def test_a_selected_lead_shows_why_it_has_its_score(qualified_lead) -> None:
    app = open_lead(open_leads_as("marketer"), qualified_lead["email"])
    assert not app.exception
    assert "70 / 100" in [metric.value for metric in app.metric]
    reasons = next(markdown.value for markdown in app.markdown if "Base score" in markdown.value)
    assert "+50" in reasons and "+20" in reasons
    assert "Hand off to sales" in [expander.label for expander in app.expander]


def test_what_a_lead_says_is_shown_as_typed(qualified_lead) -> None:
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(LEADS.update().where(LEADS.c.id == qualified_lead["id"]).values(
            first_name=PAYLOAD[:100], company_name=PAYLOAD, job_title=":blue[CEO]"))
    app = open_lead(open_leads_as("manager"), qualified_lead["email"])
    assert shown(app.subheader[0].value) == f"{PAYLOAD[:100]} {qualified_lead['last_name']}"
    assert any(f"{PAYLOAD} · :blue[CEO]" in shown(caption.value) for caption in app.caption)


def test_disqualifying_needs_a_reason_and_the_field_is_limited(qualified_lead) -> None:
    app = open_lead(open_leads_as("marketer"), qualified_lead["email"])
    assert widget(app, "text_input", f"disqualify_{qualified_lead['id']}_reason").max_chars == 500
    next(button for button in app.button if button.label == "Disqualify").click().run()
    assert "Give a reason to disqualify this lead." in errors(app)
    assert lead_status(qualified_lead["id"]) == "qualified"


def test_a_new_lead_moves_on_to_contacted_and_the_page_says_so_at_once(qualified_lead) -> None:
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(LEADS.update().where(LEADS.c.id == qualified_lead["id"]).values(status="new"))
    app = open_lead(open_leads_as("marketer"), qualified_lead["email"])
    widget(app, "button", f"lead_{qualified_lead['id']}_to_contacted").click().run()
    assert not app.exception
    assert lead_status(qualified_lead["id"]) == "contacted"
    assert list(table(app, "leads_table").value["status"]) == ["Contacted"]
    assert any(caption.value.endswith("Contacted") for caption in app.caption)


def test_a_saved_lead_shows_its_new_values_at_once(qualified_lead) -> None:
    app = open_lead(open_leads_as("marketer"), qualified_lead["email"])
    form = f"lead_form_{qualified_lead['id']}_"
    open_expander(app, f"edit_lead_{qualified_lead['id']}_open")
    widget(app, "text_input", form + "").input(qualified_lead["email"])  # the email box comes first; unchanged
    next(box for box in app.text_input if (box.key or "").startswith(form) and box.key.endswith("_first_name")).input(
        "Ada")
    next(button for button in app.button if (button.key or "").startswith(form)).click().run()
    assert not app.exception and not errors(app)
    assert shown(app.subheader[0].value) == f"Ada {qualified_lead['last_name']}"
    assert list(table(app, "leads_table").value["name"]) == [f"Ada {qualified_lead['last_name']}"]
    first_name = next(box for box in app.text_input if (box.key or "").startswith(form) and
                      box.key.endswith("_first_name"))
    assert first_name.value == "Ada"


def test_a_new_lead_with_a_known_email_needs_a_second_press_and_then_the_form_is_empty(qualified_lead) -> None:
    app = open_expander(open_leads_as("marketer"), "new_lead_open")
    widget(app, "text_input", f"{NEW}_0_email").input(qualified_lead["email"].upper())
    widget(app, "button", f"{NEW}_0_save").click().run()
    assert any("already exists" in warning.value for warning in app.warning)
    widget(app, "button", f"{NEW}_0_save").click().run()
    assert not app.exception
    assert widget(app, "text_input", f"{NEW}_1_email").value == ""
    assert [shown(toast.value) for toast in app.toast][-1].startswith(f"Added {qualified_lead['email']} with score")
    email = func.lower(LEADS.c.email) == qualified_lead["email"]
    with session_scope(Database.MARKETING, admin=True) as session:
        assert session.scalar(select(func.count()).where(email)) == 2


def test_text_fields_of_the_lead_form_are_limited_to_their_columns() -> None:
    app = open_expander(open_leads_as("marketer"), "new_lead_open")
    limits = {box.key.removeprefix(f"{NEW}_0_"): box.max_chars for box in app.text_input
              if (box.key or "").startswith(NEW)}
    assert limits == {"email": 255, "first_name": 100, "last_name": 100, "company_name": 255, "job_title": 100,
                      "phone": 50}


def test_a_negative_company_size_is_refused_by_name() -> None:
    app = open_expander(open_leads_as("marketer"), "new_lead_open")
    widget(app, "text_input", f"{NEW}_0_email").input(f"size.{uuid.uuid4().hex[:8]}@example.org")
    widget(app, "number_input", f"{NEW}_0_company_size").set_value(-3)
    widget(app, "button", f"{NEW}_0_save").click().run()
    assert errors(app) == ["Company size must be a whole number of employees, 0 or more."]


# --- the hand-off --------------------------------------------------------------------------------


def hand_off(app: AppTest, owner_id: int, amount: float | None) -> AppTest:
    next(box for box in app.selectbox if box.label == "Deal owner *").set_value(owner_id)
    next(box for box in app.number_input if box.label == "Amount ($)").set_value(amount)
    next(button for button in app.button if button.label == "Convert…").click().run()
    next(button for button in app.button if button.label == "Convert").click().run()
    return app


def crm_links(app: AppTest) -> dict[str, str]:
    """Links to CRM records on the page: label -> query string."""
    return {shown(link.value): link.proto.query_string for link in app.get("page_link")
            if link.proto.query_string.startswith("crm_tab=")}


def test_the_hand_off_says_what_the_lead_became_by_name_with_links_to_the_records(qualified_lead) -> None:
    rep = principal_for("rep")
    app = hand_off(open_lead(open_leads_as("marketer"), qualified_lead["email"]), rep.id, 12000)
    assert not app.exception
    assert any("Handed off to sales" in success.value for success in app.success)
    with session_scope(Database.CRM, admin=True) as session:
        deal = session.execute(select(Deal.id, Deal.owner_id, Deal.amount, Deal.title, Deal.company_id, Deal.contact_id)
                               .where(Deal.title.like(f"%{qualified_lead['token']}%"))).one()
    assert (deal.owner_id, deal.amount) == (rep.id, 12000)
    links = crm_links(app)
    assert links == {
        f"{qualified_lead['company_name']} · company (created)": f"crm_tab=Companies&company={deal.company_id}",
        f"Grace {qualified_lead['last_name']} · contact (created)": f"crm_tab=Contacts&contact={deal.contact_id}",
        f"{deal.title} · deal (created)": f"crm_tab=Deals&deal={deal.id}",
    }
    assert not any("#" in text for text in links)  # names, never "Company #301"
    again = open_lead(open_leads_as("manager"), qualified_lead["email"])  # later, anyone: the recorded records
    assert set(crm_links(again)) == {
        f"{qualified_lead['company_name']} · company", f"Grace {qualified_lead['last_name']} · contact",
        f"{deal.title} · deal"}


def test_a_negative_deal_amount_is_refused_and_the_lead_stays_qualified(qualified_lead) -> None:
    app = hand_off(open_lead(open_leads_as("marketer"), qualified_lead["email"]), principal_for("rep").id, -5)
    assert "The deal amount cannot be negative." in " ".join(errors(app))
    assert lead_status(qualified_lead["id"]) == "qualified"


def test_the_export_button_writes_ids_as_whole_numbers_and_phone_numbers_as_typed(qualified_lead) -> None:
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(LEADS.update().where(LEADS.c.id == qualified_lead["id"]).values(
            phone="+1 555 0100", status="converted", converted_company_id=301, converted_contact_id=592,
            converted_deal_id=2006))
    app = open_leads_as("manager")
    widget(app, "text_input", "lead_search").input(qualified_lead["token"])
    app.run()
    widget(app, "button", "leads_prepare").click().run()
    text = app.session_state["leads_export"]["csv"].decode("utf-8-sig")
    assert ",+1 555 0100," in text and ",301,592,2006," in text
