"""The large marketing data set's lead rows (`demo seed --scale large`), checked without loading a million."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from nexus360.demo.scale_marketing import _leads

NOW = datetime(2026, 11, 25, 12, 0)
WINDOWS = [(1, date(2026, 1, 1), date(2026, 3, 31), 3), (2, date(2025, 6, 1), date(2025, 6, 30), 6)]
DEALS = [(100 + i, 10 + i, 20 + i, datetime(2026, 2, 1) + timedelta(days=i), f"Scale Co {i}", f"co{i}.example")
         for i in range(50)]
COLUMNS = ("campaign_id", "first_name", "last_name", "email", "phone", "company_name", "job_title", "company_size",
           "status", "score", "score_reasons", "converted_company_id", "converted_contact_id", "converted_deal_id",
           "created_at", "updated_at")


def _rows(count: int = 1_000) -> list[dict]:
    return [dict(zip(COLUMNS, row, strict=True)) for row in _leads(random.Random(7), count, WINDOWS, DEALS, NOW)]


def test_large_leads_are_deterministic():
    assert _rows() == _rows()


def test_large_leads_come_in_creation_order_so_ids_follow_time():
    created = [row["created_at"] for row in _rows()]

    assert created == sorted(created) and created[-1] < NOW


def test_exactly_the_converted_large_leads_point_at_the_given_deals():
    converted = [row for row in _rows() if row["status"] == "converted"]

    assert sorted(row["converted_deal_id"] for row in converted) == [deal[0] for deal in DEALS]
    assert all(row["converted_company_id"] and row["converted_contact_id"] for row in converted)
    assert all(row["created_at"] < next(d[3] for d in DEALS if d[0] == row["converted_deal_id"]) for row in converted)


def test_large_leads_belong_to_campaigns_that_ran_or_to_none():
    assert {row["campaign_id"] for row in _rows()} <= {None, 1, 2}


def test_some_large_leads_repeat_an_earlier_email():
    emails = [row["email"] for row in _rows()]

    assert len(set(emails)) < len(emails)
