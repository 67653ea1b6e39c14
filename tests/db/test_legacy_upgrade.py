"""An existing deployment, built from nexus360-schema.md's DDL as-is, is upgraded in place.

On its own embedded server, each of the eight databases gets the contract's tables and indexes
(foreign keys to tables in another database left out, since they cannot exist) and a few rows with
explicit ids; then `migrate.upgrade_all()` runs. Every row must survive unchanged, new rows must
continue past the old ids, and unknown stage, industry and country ids get placeholder rows so the
new foreign keys hold.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from nexus360.db import Database, dispose_engines, embedded, get_engine, migrate
from tests.conftest import saved_environment, use_data_dir
from tests.db.test_schema_contract import (
    DATABASE_TABLES,
    INDEXES,
    STANDARD_PIPELINE,
    TABLE_DATABASE,
    TABLES,
    ContractTable,
    insert_minimal_row,
    snapshot,
)

EMBEDDING = "[" + ",".join(["0.25"] * 1536) + "]"

# Parents before children, per database; ids deliberately sparse and not starting at 1.
LEGACY_ROWS: dict[str, list[dict]] = {
    "users": [
        {
            "id": 1,
            "azure_id": "legacy-aad-1",
            "email": "ada@legacy.example",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "is_active": True,
            "created_at": datetime(2021, 3, 1, 9, 30),
            "updated_at": datetime(2022, 1, 5, 17, 0),
        },
        {"id": 7, "azure_id": "legacy-aad-7", "email": "alan@legacy.example", "first_name": "Alan", "is_active": False},
    ],
    "roles": [{"id": 1, "name": "admin", "description": "Legacy administrators"}, {"id": 5, "name": "auditor"}],
    "user_roles": [{"user_id": 1, "role_id": 1}, {"user_id": 7, "role_id": 5}],
    "permissions": [
        {"id": 3, "name": "crm.read", "description": "Legacy read access"},
        {"id": 9, "name": "reports.export"},
    ],
    "role_permissions": [{"role_id": 1, "permission_id": 3}, {"role_id": 5, "permission_id": 9}],
    "integration_configs": [
        {"id": 10, "name": "Legacy ERP", "type": "erp", "config": '{"endpoint": "https://erp.legacy.example"}'}
    ],
    "integration_logs": [
        {"id": 100, "integration_id": 10, "event_type": "sync", "status": "failed", "error_message": "timeout"},
        {"id": 104, "integration_id": 10, "event_type": "sync", "status": "ok", "payload": '{"rows": 3}'},
    ],
    "notifications": [
        {"id": 50, "user_id": 1, "type": "deal", "title": "Deal won", "message": "Acme signed", "status": "read"},
        {"id": 51, "user_id": 7, "type": "system", "title": "Welcome", "message": "Hello Alan"},
    ],
    "notification_templates": [{"id": 4, "name": "deal_won", "type": "deal", "content": "{{deal}} was won"}],
    "countries": [
        {"id": 1, "name": "Germany", "iso_code_2": "DE", "iso_code_3": "DEU"},
        {"id": 2, "name": "France", "iso_code_2": "FR", "iso_code_3": "FRA", "is_active": False},
    ],
    "industries": [{"id": 1, "name": "Software & Internet"}, {"id": 2, "name": "Shipbuilding", "is_active": True}],
    "companies": [
        {
            "id": 100,
            "name": "Acme GmbH",
            "domain": "acme.example",
            "website": "https://acme.example",
            "industry_id": 2,
            "country_id": 1,
            "annual_revenue": Decimal("1250000.50"),
        },
        # Industry 5 and country 9 exist nowhere: low ids that newly seeded reference rows could take.
        {"id": 101, "name": "Nowhere Ltd", "industry_id": 5, "country_id": 9},
    ],
    "contacts": [
        {"id": 200, "company_id": 100, "first_name": "Grete", "email": "grete@acme.example", "job_title": "CTO"},
        {"id": 201, "email": "freelancer@legacy.example"},
    ],
    "deals": [
        {
            "id": 300,
            "title": "Acme renewal",
            "company_id": 100,
            "contact_id": 200,
            "stage_id": 3,
            "amount": Decimal("50000.00"),
            "close_date": date(2024, 6, 30),
            "owner_id": 1,
        },
        {"id": 301, "title": "Acme expansion", "company_id": 100, "stage_id": 42, "owner_id": 7},
    ],
    "conversations": [{"id": 40, "user_id": 1, "title": "Pipeline questions"}],
    "messages": [{"id": 41, "conversation_id": 40, "role": "user", "content": "What closes in June?", "tokens": 7}],
    "knowledge_base": [
        {"id": 9, "title": "Pricing", "content": "List prices and discounts", "embedding": EMBEDDING},
        {"id": 12, "title": "Onboarding", "content": "First steps"},
    ],
    "commission_rules": [
        {
            "id": 3,
            "name": "Standard",
            "type": "percentage",
            "criteria": '{"min_amount": 0}',
            "rate": Decimal("5.00"),
            "start_date": date(2023, 1, 1),
        }
    ],
    "sales_performance": [
        {
            "id": 8,
            "user_id": 1,
            "period_start": date(2024, 1, 1),
            "period_end": date(2024, 3, 31),
            "revenue": Decimal("120000.00"),
            "commission": Decimal("6000.00"),
            "status": "paid",
        }
    ],
    "forecasts": [
        {
            "id": 2,
            "period_start": date(2024, 4, 1),
            "period_end": date(2024, 6, 30),
            "forecast_type": "quarterly",
            "forecast_value": Decimal("300000.00"),
            "confidence_score": Decimal("0.80"),
        }
    ],
    "forecast_factors": [
        {
            "id": 6,
            "forecast_id": 2,
            "factor_name": "seasonality",
            "factor_value": Decimal("1.10"),
            "weight": Decimal("0.25"),
        }
    ],
    "campaigns": [
        {
            "id": 12,
            "name": "Spring webinar",
            "type": "webinar",
            "status": "completed",
            "start_date": date(2024, 3, 1),
            "end_date": date(2024, 3, 31),
            "budget": Decimal("5000.00"),
        }
    ],
    "leads": [
        {
            "id": 13,
            "campaign_id": 12,
            "first_name": "Lea",
            "email": "lea@prospect.example",
            "status": "new",
            "score": 40,
        },
        {"id": 14, "email": "walk-in@prospect.example", "company_name": "Walk-in AG", "status": "qualified"},
    ],
}
TABLES_WITH_ID = [table for table, rows in LEGACY_ROWS.items() if "id" in rows[0]]
SEEDED_BY_THE_UPGRADE = ["roles", "permissions", "industries", "countries"]
FOREIGN_KEY = re.compile(r",\s*FOREIGN KEY\s*\((\w+)\)\s*REFERENCES (\w+)\s*\(\w+\)", re.I)


def legacy_ddl(table: ContractTable) -> str:
    """The contract's CREATE TABLE as written, less foreign keys to tables in another database."""
    return FOREIGN_KEY.sub(lambda key: key[0] if TABLE_DATABASE[key[2]] == table.database else "", table.sql)


def build_legacy_deployment() -> None:
    for database, tables in DATABASE_TABLES.items():
        migrate.ensure_database_exists(database)
        with get_engine(database, admin=True).begin() as connection:
            if database is Database.CHAT:
                connection.exec_driver_sql("CREATE EXTENSION vector")
            for table in tables:
                connection.exec_driver_sql(legacy_ddl(TABLES[table]))
            for index in INDEXES:
                if index.table in tables:
                    connection.exec_driver_sql(index.sql)
            for table in tables:
                for row in LEGACY_ROWS[table]:
                    names = ", ".join(row)
                    values = ", ".join(f":{name}" for name in row)
                    connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({values})"), row)


def contract_rows(table: str) -> list[tuple]:
    """The table's rows, contract columns only, in primary-key order."""
    contract = TABLES[table]
    columns = ", ".join(column.name for column in contract.columns)
    order = ", ".join(contract.primary_key)
    with get_engine(contract.database, admin=True).connect() as connection:
        return [tuple(row) for row in connection.execute(text(f"SELECT {columns} FROM {table} ORDER BY {order}"))]


def primary_key(table: str, row: tuple) -> tuple:
    names = [column.name for column in TABLES[table].columns]
    return tuple(row[names.index(name)] for name in TABLES[table].primary_key)


def fetch(database: Database, sql: str, **params: object) -> list:
    with get_engine(database, admin=True).connect() as connection:
        return list(connection.execute(text(sql), params).mappings())


@pytest.fixture(scope="module")
def legacy_server() -> Iterator[Path]:
    """A separate embedded server for this module; the session's settings come back afterwards."""
    # Not under pytest's temp root: any other pytest run on the machine resets that root to mode 0700,
    # which shuts out the system user the embedded server runs as (when tests run as root).
    path = Path(tempfile.mkdtemp(prefix="nexus360-legacy-"))
    with saved_environment():
        use_data_dir(path)
        try:
            yield path
        finally:
            dispose_engines()
            embedded.stop(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def rows_before_upgrade(legacy_server: Path) -> dict[str, list[tuple]]:
    """Build the legacy deployment, remember its rows, then upgrade it."""
    build_legacy_deployment()
    before = {table: contract_rows(table) for table in TABLES}
    migrate.upgrade_all()
    return before


@pytest.mark.parametrize("table", list(LEGACY_ROWS))
def test_legacy_rows_are_kept_unchanged(rows_before_upgrade: dict[str, list[tuple]], table: str) -> None:
    before = rows_before_upgrade[table]
    assert len(before) == len(LEGACY_ROWS[table])
    legacy_keys = {primary_key(table, row) for row in before}
    assert [row for row in contract_rows(table) if primary_key(table, row) in legacy_keys] == before


@pytest.mark.parametrize("table", TABLES_WITH_ID)
def test_new_rows_get_ids_above_the_legacy_maximum(rows_before_upgrade: dict, table: str) -> None:
    legacy_max = max(row["id"] for row in LEGACY_ROWS[table])
    with get_engine(TABLE_DATABASE[table], admin=True).connect() as connection:
        new_id = insert_minimal_row(connection, table)
        connection.rollback()
    assert new_id > legacy_max


@pytest.mark.parametrize("table", SEEDED_BY_THE_UPGRADE)
def test_rows_seeded_by_the_upgrade_get_ids_above_the_legacy_maximum(rows_before_upgrade: dict, table: str) -> None:
    legacy_ids = [row["id"] for row in LEGACY_ROWS[table]]
    sql = f"SELECT min(id) AS first FROM {table} WHERE id <> ALL(:legacy_ids)"
    assert fetch(TABLE_DATABASE[table], sql, legacy_ids=legacy_ids)[0]["first"] > max(legacy_ids)


def test_deal_stages_hold_the_standard_pipeline_and_a_placeholder_for_stage_42(rows_before_upgrade: dict) -> None:
    rows = fetch(Database.CRM, "SELECT id, name FROM deal_stages ORDER BY position")
    assert [row["name"] for row in rows] == [*STANDARD_PIPELINE, "Stage 42"]
    assert rows[-1]["id"] == 42


def test_the_stage_42_placeholder_is_neither_won_nor_lost(rows_before_upgrade: dict) -> None:
    row = fetch(Database.CRM, "SELECT is_won, is_lost, win_probability FROM deal_stages WHERE id = 42")[0]
    assert (row["is_won"], row["is_lost"], row["win_probability"]) == (False, False, 0)


@pytest.mark.parametrize(
    ("table", "column", "ref_table"),
    [
        ("deals", "stage_id", "deal_stages"),
        ("companies", "industry_id", "industries"),
        ("companies", "country_id", "countries"),
    ],
    ids=["deals.stage_id->deal_stages", "companies.industry_id->industries", "companies.country_id->countries"],
)
def test_crm_reference_column_becomes_a_foreign_key(
    rows_before_upgrade: dict, table: str, column: str, ref_table: str
) -> None:
    sql = (
        "SELECT 1 FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
        "WHERE c.contype = 'f' AND c.conrelid = to_regclass(:table) AND c.confrelid = to_regclass(:ref_table) "
        "AND a.attname = :column"
    )
    assert fetch(Database.CRM, sql, table=table, column=column, ref_table=ref_table)


@pytest.mark.parametrize(("table", "row_id", "name"), [("industries", 5, "Industry 5"), ("countries", 9, "Country 9")])
def test_an_unknown_reference_gets_an_inactive_placeholder(
    rows_before_upgrade: dict, table: str, row_id: int, name: str
) -> None:
    rows = fetch(Database.CRM, f"SELECT name, is_active FROM {table} WHERE id = :id", id=row_id)
    assert [(row["name"], row["is_active"]) for row in rows] == [(name, False)]


def test_legacy_countries_are_not_seeded_twice(rows_before_upgrade: dict) -> None:
    rows = fetch(Database.CRM, "SELECT id FROM countries WHERE iso_code_2 IN ('DE', 'FR') ORDER BY id")
    assert [row["id"] for row in rows] == [1, 2]


def test_legacy_industries_are_not_seeded_twice(rows_before_upgrade: dict) -> None:
    rows = fetch(Database.CRM, "SELECT id FROM industries WHERE name = 'Software & Internet'")
    assert [row["id"] for row in rows] == [1]


def test_legacy_roles_keep_their_ids(rows_before_upgrade: dict) -> None:
    rows = fetch(Database.AUTH, "SELECT id FROM roles WHERE name = 'admin'")
    assert [row["id"] for row in rows] == [1]


def test_a_second_upgrade_is_a_no_op(rows_before_upgrade: dict) -> None:
    before = {database: snapshot(database) for database in Database}
    assert migrate.upgrade_all() == []
    assert {database: snapshot(database) for database in Database} == before
