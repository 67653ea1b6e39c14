"""crm: deals.source_lead_id, the idempotency key of the hand-off from marketing.

Converting a lead writes to the CRM and then to the marketing database; the two cannot share a
transaction. A retry after a failure between them must find the deal the first attempt created, so
the deal carries the lead's id (a reference into another database, not a foreign key) and a unique
partial index makes a second deal for the same lead impossible.

Revision ID: crm_0006
Revises: crm_0005
"""

from nexus360.db import ddl

revision = "crm_0006"
down_revision = "crm_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.execute("ALTER TABLE deals ADD COLUMN IF NOT EXISTS source_lead_id BIGINT")
    ddl.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS ux_deals_source_lead_id ON deals (source_lead_id) "
        "WHERE source_lead_id IS NOT NULL"
    )


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
