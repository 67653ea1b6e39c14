"""Sessions and principals shared by the marketing tests (rolled back after each test)."""

from __future__ import annotations

import pytest

from nexus360.db import Database
from tests.crm.conftest import MARKETER_ID, principal


@pytest.fixture
def marketing(db):
    return db(Database.MARKETING)


@pytest.fixture
def marketer():
    return principal(MARKETER_ID, "marketer")
