"""Campaigns & Leads in a real browser: a marketer edits a campaign's budget, hands a qualified lead to a rep
(the result names what the lead became and links to it), and the new deal appears in the CRM's deals list;
a minimum score out of range and a negative budget are refused with a message naming the field."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select

from nexus360.db import Database, session_scope
from tests.e2e.browser import DEMO_PASSWORD, screenshot, sign_in, wait_for_session_cookie, wait_idle
from tests.pages.apptest import principal_for


@pytest.fixture
def planted(seeded) -> Iterator[dict]:
    """A campaign and a qualified lead on it with unique names; both, and what the hand-off made, deleted after."""
    from nexus360.crm.models import Company, Contact, Deal
    from nexus360.marketing.models import Campaign, CampaignChange
    from nexus360.marketing.repository import LEADS as leads_table
    from nexus360.notifications.models import Notification

    token = uuid.uuid4().hex[:8]
    names = {"campaign": f"E2E Webinar {token}", "company": f"E2E Corp {token}",
             "email": f"ada.{token}@e2e-{token}.example", "deal": f"E2E deal {token}"}
    with session_scope(Database.MARKETING, admin=True) as session:
        campaign = Campaign(name=names["campaign"], type="webinar", status="planned", budget=1000)
        session.add(campaign)
        session.flush()
        names["campaign_id"] = campaign.id
        session.execute(leads_table.insert().values(
            email=names["email"], first_name="Ada", last_name=f"E2E{token}", company_name=names["company"],
            campaign_id=campaign.id, status="qualified", score=60, score_reasons=[["Base score", 50]],
        ))
    yield names
    with session_scope(Database.CRM, admin=True) as session:
        session.execute(delete(Deal).where(Deal.title == names["deal"]))
        session.execute(delete(Contact).where(Contact.email == names["email"]))
        session.execute(delete(Company).where(Company.name == names["company"]))
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        session.execute(delete(Notification).where(Notification.title.like(f"%{token}%")))
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(delete(leads_table).where(leads_table.c.email == names["email"]))
        session.execute(delete(CampaignChange).where(CampaignChange.campaign_id == names["campaign_id"]))
        session.execute(delete(Campaign).where(Campaign.id == names["campaign_id"]))


def visible(locator):
    return locator.locator("visible=true").first


def search_and_select_first(page, placeholder: str, text: str) -> None:
    """Type into the visible search box, then tick the first row of the visible list."""
    box = visible(page.get_by_placeholder(placeholder))
    box.fill(text)
    box.press("Enter")
    wait_idle(page)
    visible(page.locator("[data-testid=stDataFrame]")).click(position={"x": 16, "y": 56})
    wait_idle(page)


def open_tab(page, name: str, sign) -> None:
    """Click a tab until `sign` (something only that tab shows) is visible: a late rerun may redraw the tabs."""
    for _ in range(5):
        page.get_by_role("tab", name=name).click()
        wait_idle(page)
        if sign.locator("visible=true").count():
            return
    raise AssertionError(f"the {name} tab did not open")


def choose(page, label: str, option: str) -> None:
    visible(page.get_by_label(label)).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def test_marketer_edits_a_budget_and_hands_a_lead_to_a_rep(app_url: str, page, planted: dict) -> None:
    from nexus360.crm.models import Deal
    from nexus360.marketing.models import Campaign

    sign_in(page, app_url, "marketer", DEMO_PASSWORD)
    wait_for_session_cookie(page)
    page.goto(f"{app_url}/campaigns")
    wait_idle(page)

    search_and_select_first(page, "Campaign name", planted["campaign"])
    visible(page.get_by_text("Edit campaign")).click()
    budget = visible(page.get_by_label("Budget ($)", exact=True))
    budget.fill("25000")
    budget.press("Tab")
    visible(page.get_by_role("button", name="Save changes")).click()
    wait_idle(page)
    page.get_by_text("budget $25,000").wait_for()
    with session_scope(Database.MARKETING, admin=True) as session:
        assert session.scalar(select(Campaign.budget).where(Campaign.id == planted["campaign_id"])) == 25000

    open_tab(page, "Leads", page.get_by_placeholder("Email, name or company"))
    search_and_select_first(page, "Email, name or company", planted["email"])
    rep = principal_for("rep")
    choose(page, "Deal owner *", rep.display_name)
    deal_name = visible(page.get_by_label("Deal name"))
    deal_name.fill(planted["deal"])
    amount = visible(page.get_by_label("Amount ($)", exact=True))
    amount.fill("18000")
    amount.press("Tab")
    visible(page.get_by_role("button", name="Convert…")).click()
    wait_idle(page)
    visible(page.get_by_role("button", name="Convert", exact=True)).click()
    wait_idle(page)
    page.get_by_text("Handed off to sales.").wait_for()
    # what the lead became, by name, each a link to the record on the CRM page
    company_link = visible(page.get_by_role("link", name=f"{planted['company']} · company (created)"))
    assert "crm_tab=Companies" in (company_link.get_attribute("href") or "")
    deal_link = visible(page.get_by_role("link", name=f"{planted['deal']} · deal (created)"))
    assert "crm_tab=Deals&deal=" in (deal_link.get_attribute("href") or "")
    screenshot(page, "marketing-handoff")
    with session_scope(Database.CRM, admin=True) as session:
        deal = session.execute(select(Deal.owner_id, Deal.amount).where(Deal.title == planted["deal"])).one()
    assert (deal.owner_id, deal.amount) == (rep.id, 18000)

    page.goto(f"{app_url}/crm")
    wait_idle(page)
    open_tab(page, "Deals", page.get_by_placeholder("Deal or company"))
    choose(page, "Owner", "Everyone")
    box = visible(page.get_by_placeholder("Deal or company"))
    box.fill(planted["deal"])
    box.press("Enter")
    wait_idle(page)
    grid = visible(page.locator("[data-testid=stDataFrame]"))
    # the grid draws on a canvas but keeps a hidden, accessible copy of its cells in the DOM
    grid.get_by_text(planted["deal"]).wait_for(state="attached")
    screenshot(page, "marketing-deal-in-crm")


def test_out_of_range_numbers_are_refused_by_name_in_the_browser(app_url: str, page, planted: dict) -> None:
    sign_in(page, app_url, "marketer", DEMO_PASSWORD)
    wait_for_session_cookie(page)
    page.goto(f"{app_url}/campaigns?campaigns_tab=Leads")
    wait_idle(page)
    score = visible(page.get_by_label("Minimum score", exact=True))
    score.fill("1000")
    score.press("Enter")
    wait_idle(page)
    page.get_by_text("Minimum score must be between 0 and 100; 1,000 is not.").wait_for()

    open_tab(page, "Campaigns", page.get_by_placeholder("Campaign name"))
    visible(page.get_by_text("New campaign")).click()
    wait_idle(page)
    visible(page.get_by_label("Name *", exact=True)).fill(f"{planted['campaign']} refused")
    budget = visible(page.get_by_label("Budget ($)", exact=True))
    budget.fill("-100")
    budget.press("Tab")
    visible(page.get_by_role("button", name="Create campaign")).click()
    wait_idle(page)
    page.get_by_text("Budget must not be negative.").wait_for()
    screenshot(page, "marketing-refused-budget")
