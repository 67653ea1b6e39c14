"""crm: indexes behind the CRM lists, searches and duplicate checks at a million deals.

- trigram (pg_trgm) GIN indexes: "contains" searches on company name/domain, contact email/name and
  deal title, which a B-tree cannot serve;
- lower(...) indexes: case-insensitive duplicate checks and import matching by natural key;
- the deal list's keyset order (close date with undated last, then id), alone and per owner.

Revision ID: crm_0004
Revises: crm_0003
"""

from nexus360.db import ddl

revision = "crm_0004"
down_revision = "crm_0003"
branch_labels = None
depends_on = None

CONTACT_NAME = "(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))"
CLOSE_KEY = "coalesce(close_date, DATE '9999-12-31')"

INDEXES = [
    "CREATE INDEX ix_companies_name_trgm ON companies USING gin (name gin_trgm_ops)",
    "CREATE INDEX ix_companies_domain_trgm ON companies USING gin (domain gin_trgm_ops)",
    "CREATE INDEX ix_contacts_email_trgm ON contacts USING gin (email gin_trgm_ops)",
    f"CREATE INDEX ix_contacts_name_trgm ON contacts USING gin ({CONTACT_NAME} gin_trgm_ops)",
    "CREATE INDEX ix_deals_title_trgm ON deals USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_companies_lower_name ON companies (lower(name))",
    "CREATE INDEX ix_companies_lower_domain ON companies (lower(domain))",
    "CREATE INDEX ix_contacts_lower_email ON contacts (lower(email))",
    "CREATE INDEX ix_deals_company_lower_title ON deals (company_id, lower(title))",
    f"CREATE INDEX ix_deals_close_key ON deals ({CLOSE_KEY}, id)",
    f"CREATE INDEX ix_deals_owner_close_key ON deals (owner_id, {CLOSE_KEY}, id)",
    "CREATE INDEX ix_contacts_email_id ON contacts (email, id)",
    "CREATE INDEX ix_companies_name_id ON companies (name, id)",
]


def upgrade() -> None:
    ddl.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    ddl.create_indexes(INDEXES)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
