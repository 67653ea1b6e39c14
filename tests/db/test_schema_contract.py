"""The migrated databases honour docs/schema.md (the repository's copy of nexus360-schema.md): every
table, column, type, nullability, default, key and index it declares exists, plus the additions of the
design (identity ids, managed timestamps, pgvector, deal_stages, reference data). The contract is parsed
from the document itself, so a change to it is checked without touching this file.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from nexus360.db import Database, get_engine

CONTRACT_FILE = Path(__file__).resolve().parents[2] / "docs" / "schema.md"

DATABASE_TABLES: dict[Database, tuple[str, ...]] = {
    Database.AUTH: ("users", "roles", "user_roles", "permissions", "role_permissions"),
    Database.INTEGRATION: ("integration_configs", "integration_logs"),
    Database.NOTIFICATIONS: ("notifications", "notification_templates"),
    Database.CRM: ("companies", "contacts", "deals", "countries", "industries"),
    Database.CHAT: ("conversations", "messages", "knowledge_base"),
    Database.COMPENSATION: ("commission_rules", "sales_performance"),
    Database.FORECASTING: ("forecasts", "forecast_factors"),
    Database.MARKETING: ("campaigns", "leads"),
}
TABLE_DATABASE: dict[str, Database] = {
    table: database for database, tables in DATABASE_TABLES.items() for table in tables
}
ADDED_TABLES: dict[str, Database] = {"deal_stages": Database.CRM}

# The contract's type names as PostgreSQL's format_type() spells them.
TYPE_NAMES = {
    "BIGINT": "bigint",
    "INT": "integer",
    "INTEGER": "integer",
    "TEXT": "text",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "JSONB": "jsonb",
    "TIMESTAMP": "timestamp without time zone",
    "VARCHAR": "character varying",
    "CHAR": "character",
    "DECIMAL": "numeric",
    "NUMERIC": "numeric",
    "VECTOR": "vector",
}

STANDARD_PIPELINE = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal",
    "Negotiation",
    "Closed Won",
    "Closed Lost",
]
ISO_3166_COUNTRY_COUNT = 249


# --- the contract, parsed from the document ------------------------------------------------------


@dataclass(frozen=True)
class ContractColumn:
    name: str
    type: str  # as format_type() spells it, e.g. "character varying(255)"
    not_null: bool
    default: str | None
    unique: bool


@dataclass(frozen=True)
class ForeignKey:
    column: str
    ref_table: str
    ref_column: str


@dataclass(frozen=True)
class ContractTable:
    name: str
    sql: str  # the CREATE TABLE statement as the document writes it
    columns: tuple[ContractColumn, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]

    @property
    def database(self) -> Database:
        return TABLE_DATABASE[self.name]

    def column(self, name: str) -> ContractColumn | None:
        return next((column for column in self.columns if column.name == name), None)


@dataclass(frozen=True)
class ContractIndex:
    name: str
    table: str
    columns: tuple[str, ...]
    sql: str

    @property
    def database(self) -> Database:
        return TABLE_DATABASE[self.table]


SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)
CREATE_TABLE = re.compile(r"CREATE TABLE (\w+)\s*\((.*)\)", re.S | re.I)
CREATE_INDEX = re.compile(r"CREATE INDEX (\w+) ON (\w+)\s*\(([^)]*)\)", re.I)
TABLE_PRIMARY_KEY = re.compile(r"PRIMARY KEY\s*\(([^)]*)\)", re.I)
TABLE_FOREIGN_KEY = re.compile(r"FOREIGN KEY\s*\((\w+)\)\s*REFERENCES (\w+)\s*\((\w+)\)", re.I)
COLUMN = re.compile(r"(\w+)\s+(\w+(?:\s*\([\d,\s]+\))?)(.*)", re.S)
DEFAULT = re.compile(r"DEFAULT\s+('(?:[^']|'')*'|[^\s,]+)", re.I)


def statements(markdown: str) -> list[str]:
    """Every SQL statement in the document's ```sql blocks, comments removed."""
    found = []
    for block in SQL_BLOCK.findall(markdown):
        block = re.sub(r"--[^\n]*", "", block)
        found.extend(statement.strip() for statement in block.split(";") if statement.strip())
    return found


def split_top_level(body: str) -> list[str]:
    """Split a column list at the commas outside parentheses (DECIMAL(15,2) stays whole)."""
    parts, depth, current = [], 0, []
    for char in body:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def postgres_type(declared: str) -> str:
    match = re.fullmatch(r"(\w+)\s*(?:\(([\d,\s]+)\))?", declared.strip())
    assert match, f"unreadable type {declared!r}"
    name = TYPE_NAMES[match[1].upper()]
    return f"{name}({','.join(arg.strip() for arg in match[2].split(','))})" if match[2] else name


def parse_table(statement: str) -> ContractTable:
    match = CREATE_TABLE.fullmatch(statement)
    assert match, f"unreadable CREATE TABLE: {statement[:60]!r}"
    columns, primary_key, foreign_keys = [], (), []
    for item in split_top_level(match[2]):
        if key := TABLE_PRIMARY_KEY.fullmatch(item):
            primary_key = tuple(name.strip() for name in key[1].split(","))
        elif key := TABLE_FOREIGN_KEY.fullmatch(item):
            foreign_keys.append(ForeignKey(key[1], key[2], key[3]))
        elif column := COLUMN.fullmatch(item):
            options = column[3].upper()
            default = DEFAULT.search(column[3])
            if "PRIMARY KEY" in options:
                primary_key = (column[1],)
            columns.append(
                ContractColumn(
                    name=column[1],
                    type=postgres_type(column[2]),
                    not_null="NOT NULL" in options or "PRIMARY KEY" in options,
                    default=default[1] if default else None,
                    unique="UNIQUE" in options,
                )
            )
        else:
            raise AssertionError(f"unreadable item in {match[1]}: {item!r}")
    key_columns = set(primary_key)
    columns = [
        ContractColumn(c.name, c.type, c.not_null or c.name in key_columns, c.default, c.unique) for c in columns
    ]
    return ContractTable(match[1], statement, tuple(columns), primary_key, tuple(foreign_keys))


def parse_contract(markdown: str) -> tuple[dict[str, ContractTable], tuple[ContractIndex, ...]]:
    """Tables (by name, in document order) and indexes declared by nexus360-schema.md."""
    tables: dict[str, ContractTable] = {}
    indexes: list[ContractIndex] = []
    for statement in statements(markdown):
        if statement.upper().startswith("CREATE TABLE"):
            table = parse_table(statement)
            tables[table.name] = table
        elif index := CREATE_INDEX.fullmatch(statement):
            columns = tuple(name.strip() for name in index[3].split(","))
            indexes.append(ContractIndex(index[1], index[2], columns, statement))
        else:
            raise AssertionError(f"unexpected statement in the contract: {statement[:60]!r}")
    return tables, tuple(indexes)


pytestmark = pytest.mark.usefixtures("migrated")

TABLES, INDEXES = parse_contract(CONTRACT_FILE.read_text(encoding="utf-8"))
CONTRACT_TABLES = list(TABLES.values())
COLUMNS_WITH_DEFAULTS = [(t, c) for t in CONTRACT_TABLES for c in t.columns if c.default is not None]
UNIQUE_COLUMNS = [(t, c) for t in CONTRACT_TABLES for c in t.columns if c.unique]
LOCAL_FOREIGN_KEYS = [
    (t, k) for t in CONTRACT_TABLES for k in t.foreign_keys if TABLE_DATABASE[k.ref_table] == t.database
]
TABLES_WITH_ID = [t.name for t in CONTRACT_TABLES if t.column("id")] + ["deal_stages"]
TABLES_WITH_CREATED_AT = [t.name for t in CONTRACT_TABLES if t.column("created_at")]
TABLES_WITH_UPDATED_AT = [t.name for t in CONTRACT_TABLES if t.column("updated_at")]


def table_id(value: object) -> str:
    return getattr(value, "name", str(value))


def column_id(pair: tuple[ContractTable, ContractColumn]) -> str:
    return f"{pair[0].name}.{pair[1].name}"


def foreign_key_id(pair: tuple[ContractTable, ForeignKey]) -> str:
    return f"{pair[0].name}.{pair[1].column}->{pair[1].ref_table}"


# --- the catalogue, read as the tables' owner ----------------------------------------------------

COLUMNS_SQL = """
SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity <> '' AS is_identity
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = to_regclass(:table) AND a.attnum > 0 AND NOT a.attisdropped
"""
CONSTRAINTS_SQL = """
SELECT c.contype::text AS kind, c.confrelid::regclass::text AS ref_table,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns
FROM pg_constraint c
WHERE c.conrelid = to_regclass(:table)
"""
INDEXES_SQL = """
SELECT c.relname::text AS name, i.indrelid::regclass::text AS table, am.amname::text AS method,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
       ARRAY(SELECT o.opcname::text FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS k(opclass, ord)
             JOIN pg_opclass o ON o.oid = k.opclass ORDER BY k.ord) AS opclasses
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
WHERE i.indrelid = to_regclass(:table)
"""
UPDATE_TRIGGERS_SQL = """
SELECT trigger_name FROM information_schema.triggers
WHERE event_object_table = :table AND event_manipulation = 'UPDATE'
  AND action_timing = 'BEFORE' AND action_orientation = 'ROW'
"""


def database_of(table: str) -> Database:
    return TABLE_DATABASE.get(table) or ADDED_TABLES[table]


def fetch(database: Database, sql: str, **params: object) -> list:
    with get_engine(database, admin=True).connect() as connection:
        return list(connection.execute(text(sql), params).mappings())


def catalog_columns(table: str) -> dict[str, dict]:
    return {row["name"]: row for row in fetch(database_of(table), COLUMNS_SQL, table=table)}


def constraints(database: Database, table: str, kind: str) -> list[dict]:
    return [row for row in fetch(database, CONSTRAINTS_SQL, table=table) if row["kind"] == kind]


def indexes(database: Database, table: str) -> list[dict]:
    return fetch(database, INDEXES_SQL, table=table)


def normalise_default(expression: str | None) -> str | None:
    """'unread'::character varying -> 'unread'; TRUE -> true."""
    if expression is None:
        return None
    return re.sub(r"::[a-z ]+(\([\d,]+\))?(\[\])?$", "", expression.strip()).lower()


def insert_minimal_row(connection: Connection, table: str, **values: object) -> int:
    """Insert a row with made-up values for the required columns (parents too); return its id."""
    columns = {row["name"]: row for row in connection.execute(text(COLUMNS_SQL), {"table": table}).mappings()}
    parents = {
        row["columns"][0]: row["ref_table"]
        for row in connection.execute(text(CONSTRAINTS_SQL), {"table": table}).mappings()
        if row["kind"] == "f"
    }
    for name, column in columns.items():
        if name in values or not column["not_null"] or column["default"] or column["is_identity"]:
            continue
        values[name] = (
            insert_minimal_row(connection, parents[name]) if name in parents else sample_value(column["type"])
        )
    names = list(values)
    casts = ", ".join(f"CAST(:{name} AS {columns[name]['type']})" for name in names)
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({casts}) RETURNING id"
    return connection.execute(text(sql), values).scalar_one()


def sample_value(pg_type: str) -> str:
    if pg_type.startswith(("character", "text")):
        return uuid.uuid4().hex  # unique enough for UNIQUE columns; CAST trims it to the length
    return {"jsonb": "{}", "date": "2024-01-31", "boolean": "true"}.get(pg_type, "1")


# --- the contract ----------------------------------------------------------------------------------


def test_the_contract_declares_the_tables_of_the_eight_databases() -> None:
    assert set(TABLES) == set(TABLE_DATABASE)
    assert all(index.table in TABLES for index in INDEXES)


@pytest.mark.parametrize("table", CONTRACT_TABLES, ids=table_id)
def test_contract_table_exists(table: ContractTable) -> None:
    assert fetch(table.database, "SELECT to_regclass(:table) IS NOT NULL AS found", table=table.name)[0]["found"]


@pytest.mark.parametrize("table", CONTRACT_TABLES, ids=table_id)
def test_contract_columns_exist_with_their_types(table: ContractTable) -> None:
    actual = catalog_columns(table.name)
    expected = {column.name: column.type for column in table.columns}
    assert {name: actual[name]["type"] if name in actual else None for name in expected} == expected


@pytest.mark.parametrize("table", CONTRACT_TABLES, ids=table_id)
def test_contract_columns_keep_their_nullability(table: ContractTable) -> None:
    actual = catalog_columns(table.name)
    expected = {column.name: column.not_null for column in table.columns}
    assert {name: actual[name]["not_null"] if name in actual else None for name in expected} == expected


@pytest.mark.parametrize(("table", "column"), COLUMNS_WITH_DEFAULTS, ids=list(map(column_id, COLUMNS_WITH_DEFAULTS)))
def test_contract_defaults_are_kept(table: ContractTable, column: ContractColumn) -> None:
    actual = catalog_columns(table.name)[column.name]["default"]
    assert normalise_default(actual) == normalise_default(column.default)


@pytest.mark.parametrize("table", CONTRACT_TABLES, ids=table_id)
def test_primary_key_matches_the_contract(table: ContractTable) -> None:
    keys = constraints(table.database, table.name, "p")
    assert [tuple(key["columns"]) for key in keys] == [table.primary_key]


@pytest.mark.parametrize(("table", "column"), UNIQUE_COLUMNS, ids=list(map(column_id, UNIQUE_COLUMNS)))
def test_unique_column_has_a_unique_constraint(table: ContractTable, column: ContractColumn) -> None:
    assert [column.name] in [key["columns"] for key in constraints(table.database, table.name, "u")]


@pytest.mark.parametrize(("table", "key"), LOCAL_FOREIGN_KEYS, ids=list(map(foreign_key_id, LOCAL_FOREIGN_KEYS)))
def test_foreign_key_within_a_database_exists(table: ContractTable, key: ForeignKey) -> None:
    found = [
        (row["columns"], row["ref_table"], row["ref_columns"]) for row in constraints(table.database, table.name, "f")
    ]
    assert ([key.column], key.ref_table, [key.ref_column]) in found


@pytest.mark.parametrize("index", INDEXES, ids=table_id)
def test_contract_index_exists_on_its_columns(index: ContractIndex) -> None:
    found = {row["name"]: (row["table"], tuple(row["columns"])) for row in indexes(index.database, index.table)}
    assert found.get(index.name) == (index.table, index.columns)


# --- the additions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES_WITH_ID)
def test_id_is_an_identity_column(table: str) -> None:
    assert catalog_columns(table)["id"]["is_identity"]


@pytest.mark.parametrize("table", TABLES_WITH_CREATED_AT)
def test_created_at_defaults_to_now(table: str) -> None:
    assert "now()" in (catalog_columns(table)["created_at"]["default"] or "")


@pytest.mark.parametrize("table", TABLES_WITH_UPDATED_AT)
def test_updated_at_has_a_before_update_trigger(table: str) -> None:
    assert fetch(database_of(table), UPDATE_TRIGGERS_SQL, table=table)


@pytest.mark.parametrize("table", TABLES_WITH_UPDATED_AT)
def test_updating_a_row_refreshes_updated_at(table: str) -> None:
    with get_engine(database_of(table), admin=True).connect() as connection:
        row_id = insert_minimal_row(connection, table, updated_at="2000-01-01 00:00:00")
        touched = connection.execute(
            text(f"UPDATE {table} SET created_at = created_at WHERE id = :id RETURNING updated_at"), {"id": row_id}
        ).scalar_one()
        now = connection.execute(text("SELECT timezone('utc', now())")).scalar_one()
        connection.rollback()
    assert touched == now


def test_chat_has_the_vector_extension() -> None:
    assert fetch(Database.CHAT, "SELECT extname FROM pg_extension WHERE extname = 'vector'")


def test_knowledge_base_embedding_has_an_hnsw_cosine_index() -> None:
    found = [(row["method"], row["columns"], row["opclasses"]) for row in indexes(Database.CHAT, "knowledge_base")]
    assert ("hnsw", ["embedding"], ["vector_cosine_ops"]) in found


def test_deal_stages_has_the_pipeline_columns() -> None:
    assert {"id", "name", "position", "win_probability", "is_won", "is_lost"} <= set(catalog_columns("deal_stages"))


def test_the_standard_pipeline_is_seeded_in_order() -> None:
    rows = fetch(Database.CRM, "SELECT name FROM deal_stages ORDER BY position")
    assert [row["name"] for row in rows] == STANDARD_PIPELINE


def test_the_pipeline_has_one_won_and_one_lost_stage() -> None:
    rows = fetch(Database.CRM, "SELECT name, win_probability FROM deal_stages WHERE is_won OR is_lost ORDER BY name")
    assert [(row["name"], float(row["win_probability"])) for row in rows] == [("Closed Lost", 0), ("Closed Won", 100)]


@pytest.mark.parametrize(
    ("table", "column", "ref_table"),
    [
        ("deals", "stage_id", "deal_stages"),
        ("companies", "industry_id", "industries"),
        ("companies", "country_id", "countries"),
    ],
    ids=["deals.stage_id->deal_stages", "companies.industry_id->industries", "companies.country_id->countries"],
)
def test_crm_reference_column_is_a_foreign_key(table: str, column: str, ref_table: str) -> None:
    found = [(row["columns"], row["ref_table"]) for row in constraints(Database.CRM, table, "f")]
    assert ([column], ref_table) in found


def test_countries_hold_all_iso_3166_countries() -> None:
    row = fetch(Database.CRM, "SELECT count(*) AS total, count(DISTINCT iso_code_2) AS codes FROM countries")[0]
    assert (row["total"], row["codes"]) == (ISO_3166_COUNTRY_COUNT, ISO_3166_COUNTRY_COUNT)


def test_countries_carry_their_iso_codes() -> None:
    rows = fetch(Database.CRM, "SELECT iso_code_2, iso_code_3 FROM countries WHERE iso_code_2 IN ('DE', 'US', 'JP')")
    assert sorted((row["iso_code_2"], row["iso_code_3"]) for row in rows) == [
        ("DE", "DEU"),
        ("JP", "JPN"),
        ("US", "USA"),
    ]


# --- idempotency -----------------------------------------------------------------------------------

SNAPSHOT_QUERIES = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity "
    "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
    "triggers": "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
    "policies": "SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies ORDER BY 1, 2",
    "privileges": "SELECT relname, relacl::text FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
    "sequences": "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
}


def snapshot(database: Database) -> dict[str, object]:
    """Schema, grants, sequences and a digest of every table's rows."""
    with get_engine(database, admin=True).connect() as connection:
        state: dict[str, object] = {name: connection.execute(text(sql)).all() for name, sql in SNAPSHOT_QUERIES.items()}
        tables = connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        for table in sorted(tables):
            state[f"rows:{table}"] = connection.execute(
                text(f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t")
            ).one()
    return state


def test_a_second_upgrade_changes_nothing() -> None:
    from nexus360.db import migrate

    before = {database: snapshot(database) for database in Database}
    assert migrate.upgrade_all() == []
    assert {database: snapshot(database) for database in Database} == before
