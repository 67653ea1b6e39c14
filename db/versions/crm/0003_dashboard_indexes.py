"""crm: indexes for the CRM dashboards, so every figure stays an index-only scan at a million deals.

- ix_deals_stage_close_cover: closed deals by stage and close date (won/lost figures, revenue by
  month, industry, country, leaderboard) and open deals by stage (pipeline, funnel, deals at risk),
  carrying the columns those queries sum or join on, so PostgreSQL never visits the table itself.
- ix_deals_owner_stage_close: the same figures filtered by owner or team.
- ix_deal_stage_history_stage_changed: recent entries into each stage, which tell the deals that
  moved lately from those stuck in their stage (deals at risk).

Industry and country live in companies; they filter through a semi-join on that much smaller table,
so they are not copied onto deals.

Revision ID: crm_0003
Revises: crm_0002
"""

from nexus360.db import ddl

revision = "crm_0003"
down_revision = "crm_0002"
branch_labels = None
depends_on = None

INDEXES = [
    "CREATE INDEX ix_deals_stage_close_cover ON deals (stage_id, close_date) "
    "INCLUDE (id, amount, owner_id, company_id, created_at)",
    "CREATE INDEX ix_deals_owner_stage_close ON deals (owner_id, stage_id, close_date) "
    "INCLUDE (id, amount, company_id, created_at)",
    "CREATE INDEX ix_deal_stage_history_stage_changed ON deal_stage_history (to_stage_id, changed_at) "
    "INCLUDE (deal_id)",
]


def upgrade() -> None:
    ddl.create_indexes(INDEXES)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
