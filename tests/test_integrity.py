"""Cross-database references: rows naming a user that auth.users does not hold are reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from nexus360.auth.models import User
from nexus360.crm.models import Company, Deal, DealStage
from nexus360.db import Database
from nexus360.integrity import Orphan, check_references, find_orphans
from nexus360.notifications.models import Notification
from tests.conftest import TransactionalSessions

MISSING_USER_ID = 999_999


@pytest.fixture
def db(db: TransactionalSessions):
    """As the tables' owner, like `check`: row-level security must not hide anyone's rows here."""
    return lambda database: db(database, admin=True)


def plant_deal(db: TransactionalSessions, *, owner_id: int) -> int:
    crm: Session = db(Database.CRM)
    deal = Deal(
        title="Planted deal",
        company_id=crm.scalars(select(Company.id).limit(1)).one(),
        stage_id=crm.scalars(select(DealStage.id).limit(1)).one(),
        owner_id=owner_id,
    )
    crm.add(deal)
    crm.flush()
    return deal.id


def plant_notification(db: TransactionalSessions, *, user_id: int) -> int:
    notifications: Session = db(Database.NOTIFICATIONS)
    notification = Notification(user_id=user_id, type="system", title="Planted", message="For nobody")
    notifications.add(notification)
    notifications.flush()
    return notification.id


def an_existing_user_id(db: TransactionalSessions) -> int:
    return db(Database.AUTH).scalars(select(User.id).limit(1)).one()


def test_the_seeded_data_has_no_orphans(db: TransactionalSessions) -> None:
    assert find_orphans(db) == []


def test_a_deal_and_a_notification_for_a_missing_user_are_exactly_what_is_reported(db: TransactionalSessions) -> None:
    deal_id = plant_deal(db, owner_id=MISSING_USER_ID)
    notification_id = plant_notification(db, user_id=MISSING_USER_ID)

    assert find_orphans(db) == [
        Orphan(Database.CRM, "deals", "owner_id", deal_id, MISSING_USER_ID),
        Orphan(Database.NOTIFICATIONS, "notifications", "user_id", notification_id, MISSING_USER_ID),
    ]


def test_a_row_for_an_existing_user_is_not_an_orphan(db: TransactionalSessions) -> None:
    plant_deal(db, owner_id=an_existing_user_id(db))
    plant_notification(db, user_id=an_existing_user_id(db))

    assert find_orphans(db) == []


def test_at_most_limit_orphans_are_reported_per_table(db: TransactionalSessions) -> None:
    for _ in range(3):
        plant_deal(db, owner_id=MISSING_USER_ID)
    plant_notification(db, user_id=MISSING_USER_ID)

    reported = find_orphans(db, limit=2)

    assert [orphan.table for orphan in reported] == ["deals", "deals", "notifications"]


def test_check_references_finds_no_orphans_in_the_seeded_databases(seeded: Path) -> None:
    assert check_references() == []


def test_hand_off_links_to_missing_records_are_reported_both_ways(db: TransactionalSessions) -> None:
    from sqlalchemy import insert, update

    from nexus360.marketing.repository import LEADS as leads_table

    marketing: Session = db(Database.MARKETING)
    lead_id = marketing.execute(insert(leads_table).values(
        first_name="Ghost", last_name="Lead", email="ghost.lead@example.com", status="converted",
        converted_company_id=MISSING_USER_ID, converted_deal_id=MISSING_USER_ID,
    ).returning(leads_table.c.id)).scalar_one()
    deal_id = plant_deal(db, owner_id=an_existing_user_id(db))
    db(Database.CRM).execute(update(Deal).where(Deal.id == deal_id).values(source_lead_id=MISSING_USER_ID))

    assert find_orphans(db) == [
        Orphan(Database.MARKETING, "leads", "converted_company_id", lead_id, MISSING_USER_ID, "crm.companies"),
        Orphan(Database.MARKETING, "leads", "converted_deal_id", lead_id, MISSING_USER_ID, "crm.deals"),
        Orphan(Database.CRM, "deals", "source_lead_id", deal_id, MISSING_USER_ID, "marketing.leads"),
    ]
