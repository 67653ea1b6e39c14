"""Filtered list exports: what the filters select, capped, with formulas neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from nexus360.common.exporting import ExportTooLarge, to_csv_bytes
from nexus360.crm import service as crm_service
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealFilters
from nexus360.crm.models import Company
from tests.crm.conftest import REP_ID


def test_deal_export_holds_exactly_the_filtered_deals(crm, rep) -> None:
    filters = DealFilters(owner_ids=(REP_ID,), open_only=True)
    exported = deal_service.export_deals(crm, rep, filters=filters)
    pages, after = [], None
    while True:
        page = deal_service.list_deals(crm, rep, filters=filters, after=after, limit=200)
        pages.extend(page.rows["id"])
        if page.next_after is None:
            break
        after = page.next_after
    assert list(exported["id"]) == pages


def test_company_export_neutralises_formulas_in_names(crm, rep) -> None:
    crm.add(Company(name="=HYPERLINK(\"http://evil\")", domain="formula.example"))
    crm.flush()
    frame = crm_service.export_companies(crm, rep, search="formula.example")
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")"


def test_an_export_beyond_the_limit_is_refused_with_a_clear_message(crm, rep, monkeypatch) -> None:
    monkeypatch.setattr(crm_service, "MAX_EXPORT_ROWS", 5)
    with pytest.raises(ExportTooLarge, match="More than 5 companies"):
        crm_service.export_companies(crm, rep)
