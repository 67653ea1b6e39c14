"""Each event tells exactly the right people, once, with a link to the record and why they got it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from nexus360.auth.schemas import Principal
from nexus360.chat.client import LocalEmbedder
from nexus360.chat.knowledge import service as knowledge
from nexus360.chat.knowledge.schemas import ArticleCreate
from nexus360.common.periods import today_utc
from nexus360.crm.deals import flows as deal_flows
from nexus360.crm.deals import service as deals
from nexus360.crm.deals.schemas import DealCreate, DealUpdate
from nexus360.crm.models import Company, Deal, DealStage
from nexus360.db import Database, session_scope
from nexus360.db.engine import set_actor
from nexus360.notifications import service
from nexus360.notifications.schemas import NotificationRead
from tests.crm.conftest import principal
from tests.notifications.conftest import ADMIN_ID, MANAGER_ID, MARKETER_ID, OTHER_REP_ID, REP_ID

MANAGER, REP = principal(MANAGER_ID, "sales_manager"), principal(REP_ID, "sales_rep")


def told(session, user_id: int, type: str | None = None) -> list[NotificationRead]:
    """What `user_id` was told during this test (read as them, in the same session), newest first."""
    reader = Principal(id=user_id, email="reader@example.com")
    set_actor(session, reader)
    items = service.list_inbox(session, reader, limit=100).items
    return [item for item in items if item.id > FIRST[0] and (type is None or item.type == type)]


FIRST = [0]  # the highest notification id before the test: what it wrote comes after


@pytest.fixture(autouse=True)
def _first_id(seeded) -> None:
    from sqlalchemy import func

    from nexus360.notifications.models import Notification

    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        FIRST[0] = session.scalar(select(func.coalesce(func.max(Notification.id), 0)))


# --- notify_event ------------------------------------------------------------------------------------------


def test_each_recipient_is_told_once_with_the_link_and_why(db) -> None:
    session = db(Database.NOTIFICATIONS)
    set_actor(session, MANAGER)
    data = {"deal": {"id": 2006, "title": "Acme renewal", "company": "Acme", "amount": "$5,000"}}
    recipients = {REP_ID: "you own this deal", OTHER_REP_ID: None}
    assert service.notify_event(session, MANAGER, type="deal_won", recipients=recipients, data=data,
                                key="test17:won:2006") == 2
    assert service.notify_event(session, MANAGER, type="deal_won", recipients=recipients, data=data,
                                key="test17:won:2006") == 0, "a retried flow tells nobody twice"
    [mine] = told(session, REP_ID, "deal_won")
    assert (mine.title, mine.link, mine.reason) == ("Won: Acme renewal", "/crm?crm_tab=Deals&deal=2006",
                                                    "you own this deal")
    assert mine.message.startswith("Sophie Lambert marked your deal Acme renewal with Acme as won") or \
        "marked your deal Acme renewal with Acme as won ($5,000)" in mine.message
    [theirs] = told(session, OTHER_REP_ID, "deal_won")
    assert theirs.reason == "you own this deal"  # the type's own reason


def test_the_actor_is_never_told_of_their_own_action(db) -> None:
    session = db(Database.NOTIFICATIONS)
    assert service.notify_event(session, MANAGER, type="deal_won", recipients=[MANAGER_ID],
                                data={"deal": {"id": 1, "title": "x"}}, key="test17:self") == 0


def test_missing_data_shows_empty_never_none(db) -> None:
    session = db(Database.NOTIFICATIONS)
    service.notify_event(session, MANAGER, type="statement_approved", recipients=[REP_ID],
                         data={"period": {"code": "2026-Q3", "label": "Q3 2026"}, "comment": None,
                               "statement": {"commission": "$10"}}, key="test17:none")
    [item] = told(session, REP_ID, "statement_approved")
    assert "None" not in item.message and "Comment" not in item.message


def test_a_type_turned_off_in_app_is_hidden_from_the_inbox_and_the_badge(db) -> None:
    from nexus360.notifications.preferences import service as preferences
    from nexus360.notifications.preferences.schemas import ChannelChoice, DeliverySettings

    session = db(Database.NOTIFICATIONS)
    set_actor(session, REP)
    badge = service.count_unread(session, REP)
    service.notify_event(session, MANAGER, type="deal_lost", recipients=[REP_ID], data={"deal": {"id": 3}},
                         key="test17:muted")
    set_actor(session, REP)
    assert service.count_unread(session, REP) == badge + 1
    preferences.save_preferences(session, REP, settings=DeliverySettings(),
                                 choices=[ChannelChoice(type="deal_lost", in_app=False, email=False)])
    assert service.count_unread(session, REP) == badge
    assert not told(session, REP_ID, "deal_lost")


# --- deals --------------------------------------------------------------------------------------------------


@pytest.fixture
def crm_sessions(db):
    crm, auth, notes = db(Database.CRM), db(Database.AUTH), db(Database.NOTIFICATIONS)
    company = Company(name="Events Test GmbH")
    crm.add(company)
    crm.flush()
    stages = {row.name: row for row in crm.scalars(select(DealStage))}
    return {"crm": crm, "auth": auth, "notes": notes, "company": company.id,
            "open": next(stage.id for stage in stages.values() if not stage.is_won and not stage.is_lost),
            "won": next(stage.id for stage in stages.values() if stage.is_won),
            "lost": next(stage.id for stage in stages.values() if stage.is_lost)}


def _deal(s, owner_id: int, **changes) -> DealCreate:
    values = {"title": "Planted <b>deal</b>", "company_id": s["company"], "stage_id": s["open"],
              "amount": Decimal("48500"), "close_date": date(2031, 9, 30), "owner_id": owner_id}
    return DealCreate(**{**values, **changes})


def test_a_deal_created_for_someone_else_tells_them_and_links_to_it(crm_sessions) -> None:
    s = crm_sessions
    deal = deals.create_deal(s["crm"], MANAGER, data=_deal(s, REP_ID), auth_session=s["auth"], notes=s["notes"])
    [item] = told(s["notes"], REP_ID, "deal_assigned")
    assert item.title == "New deal for you: Planted <b>deal</b>"
    assert item.link == f"/crm?crm_tab=Deals&deal={deal.id}" and item.reason == "you own this deal now"
    assert "Events Test GmbH" in item.message and "$48,500" in item.message and "30 Sep 2031" in item.message


def test_reassigning_tells_the_new_owner_only_and_a_rep_creating_their_own_deal_tells_nobody(crm_sessions) -> None:
    s = crm_sessions
    before = {user: len(told(s["notes"], user)) for user in (REP_ID, OTHER_REP_ID)}
    own = deals.create_deal(s["crm"], REP, data=_deal(s, REP_ID), auth_session=s["auth"], notes=s["notes"])
    assert len(told(s["notes"], REP_ID)) == before[REP_ID]
    deals.update_deal(s["crm"], MANAGER, deal_id=own.id, data=DealUpdate(**_deal(s, OTHER_REP_ID).model_dump()),
                      auth_session=s["auth"], notes=s["notes"])
    assert len(told(s["notes"], REP_ID)) == before[REP_ID]
    assert [item.type for item in told(s["notes"], OTHER_REP_ID)][:1] == ["deal_assigned"]


def test_a_deal_won_or_lost_by_someone_else_tells_its_owner_and_ones_own_move_does_not(crm_sessions) -> None:
    s = crm_sessions
    deal = deals.create_deal(s["crm"], REP, data=_deal(s, REP_ID), auth_session=s["auth"], notes=s["notes"])
    deals.move_deal_stage(s["crm"], MANAGER, deal_id=deal.id, stage_id=s["won"], notes=s["notes"])
    assert [item.title for item in told(s["notes"], REP_ID, "deal_won")][:1] == ["Won: Planted <b>deal</b>"]
    other = deals.create_deal(s["crm"], REP, data=_deal(s, REP_ID, title="Mine"), auth_session=s["auth"],
                              notes=s["notes"])
    deals.move_deal_stage(s["crm"], REP, deal_id=other.id, stage_id=s["lost"], notes=s["notes"])
    assert not [item for item in told(s["notes"], REP_ID, "deal_lost") if "Mine" in item.title]
    deals.update_deal(s["crm"], MANAGER, deal_id=other.id,
                      data=DealUpdate(**_deal(s, REP_ID, title="Mine", stage_id=s["won"]).model_dump()),
                      auth_session=s["auth"], notes=s["notes"])
    assert [item.title for item in told(s["notes"], REP_ID, "deal_won")][:1] == ["Won: Mine"]


def test_an_edit_that_moves_nothing_tells_nobody(crm_sessions) -> None:
    s = crm_sessions
    deal = deals.create_deal(s["crm"], MANAGER, data=_deal(s, REP_ID), auth_session=s["auth"], notes=s["notes"])
    count = len(told(s["notes"], REP_ID))
    deals.update_deal(s["crm"], MANAGER, deal_id=deal.id, data=DealUpdate(**_deal(s, REP_ID, amount=1).model_dump()),
                      auth_session=s["auth"], notes=s["notes"])
    assert len(told(s["notes"], REP_ID)) == count


@pytest.mark.usefixtures("committed")
def test_slipping_deals_are_told_once_per_close_date_daily(seeded) -> None:
    today = today_utc()
    with session_scope(Database.CRM, admin=True) as crm:
        open_stage = crm.scalars(select(DealStage.id).where(~DealStage.is_won, ~DealStage.is_lost)).first()
        company = Company(name="Slipping Test Ltd")
        crm.add(company)
        crm.flush()
        planted = [Deal(title=f"Slipping {days}", company_id=company.id, owner_id=OTHER_REP_ID, stage_id=open_stage,
                        amount=Decimal(1000), close_date=today - timedelta(days=days)) for days in (1, 3, 12)]
        crm.add_all(planted)
        crm.flush()
        ids = [deal.id for deal in planted]
    try:
        admin = _admin()
        first = deal_flows.notify_slipping_deals(admin, today=today)
        again = deal_flows.notify_slipping_deals(admin, today=today)
        with session_scope(Database.NOTIFICATIONS, actor=Principal(id=OTHER_REP_ID, email="r@example.com")) as notes:
            mine = [item for item in told(notes, OTHER_REP_ID, "deal_slipping") if item.title.startswith("Slipping")]
        assert first >= 2 and again == 0
        assert sorted(item.title for item in mine) == ["Slipping 1 is past its close date",
                                                      "Slipping 3 is past its close date"]
        assert any("1 day ago" in item.message for item in mine) and any("3 days ago" in item.message for item in mine)
    finally:
        with session_scope(Database.CRM, admin=True) as crm:
            crm.execute(delete(Deal).where(Deal.id.in_(ids)))
            crm.execute(delete(Company).where(Company.name == "Slipping Test Ltd"))


def _admin() -> Principal:
    from tests.notifications.conftest import person

    return person(ADMIN_ID)


# --- knowledge ----------------------------------------------------------------------------------------------


def test_an_article_for_reps_tells_reps_and_not_marketers(db) -> None:
    chat, auth, notes = db(Database.CHAT), db(Database.AUTH), db(Database.NOTIFICATIONS)
    admin = principal(ADMIN_ID, "admin")
    set_actor(chat, admin)
    article = knowledge.create_article(chat, admin, data=ArticleCreate(title="Discount policy", content="Max 10%.",
                                                                        audience=["sales_rep"]),
                                       embedder=LocalEmbedder(), auth=auth, notes=notes)
    [item] = told(notes, REP_ID, "knowledge_added")
    assert item.title == "New in the knowledge base: Discount policy" and "for sales reps" in item.message
    assert item.reason == "it is written for your role" and item.link == "/chat"
    assert not told(notes, MARKETER_ID, "knowledge_added")
    assert article > 0


# --- integrations -------------------------------------------------------------------------------------------


def test_an_integration_failing_tells_each_admin_once_with_a_link_to_integrations(db) -> None:
    """As the worker tells admins of a failing connector (one key per failure streak)."""
    session = db(Database.NOTIFICATIONS)
    data = {"integration": {"name": "Microsoft Graph directory sync", "error": "Graph answered 401 ten times."}}
    for _retry in range(2):
        service.notify_event(session, None, type="integration_failing", recipients=[ADMIN_ID, MANAGER_ID], data=data,
                             key="test17:integration:3:failing:2031-03-28T10:00")
    [item] = told(session, ADMIN_ID, "integration_failing")
    assert (item.title, item.link, item.reason) == ("Microsoft Graph directory sync is failing", "/integrations",
                                                    "you administer integrations")


def test_a_catalogue_type_written_as_it_is_still_links_and_says_why(db) -> None:
    session = db(Database.NOTIFICATIONS)
    service.notify_many(session, user_ids=[ADMIN_ID], type="integration_failing", title="Integration failing: Mail",
                        message="SMTP Mail has failed 10 times in a row.")
    [item] = told(session, ADMIN_ID, "integration_failing")
    assert (item.link, item.reason) == ("/integrations", "you administer integrations")


def test_a_failing_integration_tells_every_integrations_admin_once_per_streak(committed) -> None:
    """What the worker's failing-connector job calls: each admin once per streak, through the template."""
    from nexus360.notifications import flows

    for _retry in range(2):
        flows.notify_integration_failing(integration="Microsoft Graph directory sync", key="test17:3:streak:1",
                                         error="AADSTS7000215: Invalid client secret provided.")
    with session_scope(Database.NOTIFICATIONS) as session:
        [item] = told(session, ADMIN_ID, "integration_failing")
        assert item.title == "Microsoft Graph directory sync is failing" and "AADSTS7000215" in item.message
        assert (item.link, item.reason) == ("/integrations", "you administer integrations")
        assert told(session, MANAGER_ID, "integration_failing") == []
