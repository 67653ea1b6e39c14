"""Campaigns: validation, status transitions, history of edits, duplication and permissions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.common.validation import parse
from nexus360.marketing.campaigns import service as campaigns
from nexus360.marketing.schemas import CampaignCreate, CampaignUpdate
from tests.crm.conftest import MANAGER_ID, MARKETER_ID, REP_ID, principal

TODAY = date(2026, 11, 20)


@pytest.fixture
def rep():
    return principal(REP_ID, "sales_rep")


@pytest.fixture
def manager():
    return principal(MANAGER_ID, "sales_manager")


def _create(session, who, **values):
    fields = {
        "name": "Winter Webinar",
        "type": "webinar",
        "start_date": date(2026, 12, 1),
        "end_date": date(2026, 12, 2),
        "budget": "5000",
    } | values
    return campaigns.create_campaign(session, who, data=parse(CampaignCreate, **fields), today=TODAY)


def _update(session, who, campaign, **values):
    fields = campaign.model_dump(exclude={"id"}) | values
    return campaigns.update_campaign(
        session, who, campaign_id=campaign.id, data=parse(CampaignUpdate, **fields), today=TODAY
    )


def test_create_returns_planned_campaign(marketing, marketer):
    campaign = _create(marketing, marketer)
    assert (campaign.name, campaign.type, campaign.status, campaign.budget) == (
        "Winter Webinar",
        "webinar",
        "planned",
        Decimal("5000.00"),
    )


def test_name_is_required():
    with pytest.raises(ValidationError, match="Name is required."):
        parse(CampaignCreate, name="  ", type="email")


def test_unknown_type_lists_the_choices():
    with pytest.raises(ValidationError, match="Type must be one of: webinar, email"):
        parse(CampaignCreate, name="X", type="billboard")


def test_end_before_start_is_refused():
    with pytest.raises(ValidationError, match="End date must be on or after the start date"):
        parse(CampaignCreate, name="X", type="email", start_date="2026-05-02", end_date="2026-05-01")


def test_negative_budget_is_refused():
    with pytest.raises(ValidationError, match="Budget must not be negative."):
        parse(CampaignCreate, name="X", type="email", budget="-1")


def test_active_campaign_must_have_started(marketing, marketer):
    with pytest.raises(ValidationError, match="An active campaign must have started"):
        _create(marketing, marketer, status="active", start_date=date(2026, 12, 1))


def test_planned_becomes_active_once_started(marketing, marketer):
    campaign = _create(marketing, marketer, start_date=date(2026, 11, 1))
    assert (
        campaigns.change_status(marketing, marketer, campaign_id=campaign.id, status="active", today=TODAY).status
        == "active"
    )


def test_pause_resume_and_complete(marketing, marketer):
    campaign = _create(marketing, marketer, start_date=date(2026, 11, 1))
    for status in ("active", "paused", "active", "paused", "completed"):
        campaign = campaigns.change_status(marketing, marketer, campaign_id=campaign.id, status=status, today=TODAY)
    assert campaign.status == "completed"


def test_planned_cannot_be_paused(marketing, marketer):
    campaign = _create(marketing, marketer)
    with pytest.raises(ValidationError, match="A planned campaign cannot become paused; it can become active or"):
        campaigns.change_status(marketing, marketer, campaign_id=campaign.id, status="paused", today=TODAY)


def test_cancelled_campaign_is_final(marketing, marketer):
    campaign = _create(marketing, marketer)
    campaigns.change_status(marketing, marketer, campaign_id=campaign.id, status="cancelled", today=TODAY)
    with pytest.raises(ValidationError, match="cancelled; its status can no longer change"):
        campaigns.change_status(marketing, marketer, campaign_id=campaign.id, status="planned", today=TODAY)


def test_update_records_only_changed_fields_and_the_user(marketing, marketer):
    campaign = _create(marketing, marketer)
    _update(marketing, marketer, campaign, budget="7500.00", name="Winter Webinar")
    history = campaigns.list_campaign_history(marketing, marketer, campaign_id=campaign.id)
    assert len(history) == 1
    assert history[0].changes == {"budget": ["5000.00", "7500.00"]}
    assert history[0].changed_by == MARKETER_ID


def test_update_without_changes_records_nothing(marketing, marketer):
    campaign = _create(marketing, marketer)
    _update(marketing, marketer, campaign)
    assert campaigns.list_campaign_history(marketing, marketer, campaign_id=campaign.id) == []


def test_status_change_is_in_the_history(marketing, marketer):
    campaign = _create(marketing, marketer)
    campaigns.change_status(marketing, marketer, campaign_id=campaign.id, status="cancelled", today=TODAY)
    history = campaigns.list_campaign_history(marketing, marketer, campaign_id=campaign.id)
    assert history[0].changes == {"status": ["planned", "cancelled"]}


def test_update_cannot_skip_transitions(marketing, marketer):
    campaign = _create(marketing, marketer)
    with pytest.raises(ValidationError, match="cannot become completed"):
        _update(marketing, marketer, campaign, status="completed")


def test_duplicate_is_a_planned_copy(marketing, marketer):
    campaign = _create(marketing, marketer, start_date=date(2026, 11, 1))
    campaigns.change_status(marketing, marketer, campaign_id=campaign.id, status="active", today=TODAY)
    copy = campaigns.duplicate_campaign(marketing, marketer, campaign_id=campaign.id)
    assert copy.id != campaign.id
    assert (copy.name, copy.status, copy.type, copy.budget) == (
        "Copy of Winter Webinar",
        "planned",
        "webinar",
        Decimal("5000.00"),
    )


def test_list_filters_by_status_type_and_search(marketing, marketer):
    _create(marketing, marketer, name="Zebra Launch Unique", type="event")
    page = campaigns.list_campaigns(marketing, marketer, status="planned", type="event", search="zebra launch")
    assert list(page.rows["name"]) == ["Zebra Launch Unique"]


def test_list_pages_by_keyset(marketing, marketer):
    first = campaigns.list_campaigns(marketing, marketer, limit=2)
    second = campaigns.list_campaigns(marketing, marketer, limit=2, after=first.next_after)
    assert len(first.rows) == 2 and first.next_after is not None
    assert set(first.rows["id"]).isdisjoint(second.rows["id"])


def test_the_list_runs_by_start_date_latest_first_undated_last_across_pages(marketing, marketer):
    tag = "Datesort " + "x" * 4
    for name, start in (("b", date(2026, 3, 1)), ("a", date(2027, 1, 1)), ("none", None), ("c", date(2025, 5, 1)),
                        ("d", date(2026, 3, 1))):
        _create(marketing, marketer, name=f"{tag} {name}", start_date=start, end_date=None)
    first = campaigns.list_campaigns(marketing, marketer, search=tag, limit=2)
    second = campaigns.list_campaigns(marketing, marketer, search=tag, limit=2, after=first.next_after)
    third = campaigns.list_campaigns(marketing, marketer, search=tag, limit=2, after=second.next_after)
    names = [name.removeprefix(f"{tag} ") for page in (first, second, third) for name in page.rows["name"]]
    assert names == ["a", "d", "b", "c", "none"]  # the two of 2026-03-01: the newer (d) first
    assert third.next_after is None


def test_campaigns_of_the_same_name_are_found_ignoring_case_and_spaces(marketing, marketer):
    created = _create(marketing, marketer, name="Spring Summit Unique")
    assert campaigns.find_duplicate_campaigns(marketing, marketer, name=" spring summit UNIQUE ") == [
        (created.id, "Spring Summit Unique")]
    assert campaigns.find_duplicate_campaigns(marketing, marketer, name="Spring Summit Unique",
                                              exclude_id=created.id) == []


def test_rep_and_manager_read_but_cannot_write(marketing, marketer, rep, manager):
    campaign = _create(marketing, marketer)
    for who in (rep, manager):
        assert campaigns.get_campaign(marketing, who, campaign_id=campaign.id).name == "Winter Webinar"
        with pytest.raises(AuthorizationError):
            campaigns.duplicate_campaign(marketing, who, campaign_id=campaign.id)
        with pytest.raises(AuthorizationError):
            campaigns.change_status(marketing, who, campaign_id=campaign.id, status="cancelled", today=TODAY)
