"""Principals and planted rows for CRM service tests (all inside the rolled-back `db` sessions)."""

from __future__ import annotations

import pytest

from nexus360.auth.schemas import DEFAULT_GRANTS, Principal
from nexus360.crm.models import Company
from nexus360.db import Database

REP_ID, OTHER_REP_ID, MANAGER_ID, MARKETER_ID = 7, 8, 2, 3  # seeded users
INACTIVE_REP_ID = 9


def principal(user_id: int, role: str) -> Principal:
    return Principal(
        id=user_id,
        email=f"user{user_id}@nexus360.example.com",
        roles=(role,),
        permissions=frozenset(DEFAULT_GRANTS[role]),
    )


@pytest.fixture
def rep() -> Principal:
    return principal(REP_ID, "sales_rep")


@pytest.fixture
def manager() -> Principal:
    return principal(MANAGER_ID, "sales_manager")


@pytest.fixture
def marketer() -> Principal:
    return principal(MARKETER_ID, "marketer")


@pytest.fixture
def crm(db):
    return db(Database.CRM)


@pytest.fixture
def auth(db):
    return db(Database.AUTH)


@pytest.fixture
def company(crm) -> Company:
    company = Company(name="Planted Widgets GmbH", domain="planted-widgets.example")
    crm.add(company)
    crm.flush()
    return company
