"""crm: companies by industry and by country, for the dashboard's industry and country filters.

Those filters are semi-joins on companies (crm/dashboard/repository.py `_scoped`). Without an index on either
column every filtered figure read all 200,000 companies first (a parallel sequential scan, 20-50 ms per
statement, five statements per filter choice at the large demo scale). Keyed by (industry_id, id) and
(country_id, id), the companies of one industry or country are one index-only range scan.

Revision ID: crm_0040
Revises: crm_0030
"""

from nexus360.db import ddl

revision = "crm_0040"
down_revision = "crm_0030"
branch_labels = None
depends_on = None

INDEXES = [
    "CREATE INDEX ix_companies_industry_id ON companies (industry_id, id)",
    "CREATE INDEX ix_companies_country_id ON companies (country_id, id)",
]


def upgrade() -> None:
    ddl.create_indexes(INDEXES)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
