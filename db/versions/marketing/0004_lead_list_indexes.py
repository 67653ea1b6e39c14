"""marketing: indexes behind the lead list, its searches and the ROI report at a million leads.

Measured with `python -m nexus360 bench marketing` on `demo seed --scale large` (1,005,000 leads):
- (campaign_id, id): the lead list filtered by campaign, newest first (keyset on id). Without it the planner
  walks the primary key backwards until it has a page; for a campaign that ran a year ago that is most of the
  table (375 ms p95).
- trigram (pg_trgm) GIN indexes on email, "first last" and company_name: the list's "contains" search
  (ILIKE '%…%', OR-ed over the three) was a scan of the whole table (1.2-1.7 s). The name expression is the
  one `repository._lead_name()` searches, character for character, or the index would not match.
- (campaign_id, created_at) INCLUDE (status, converted_deal_id, id): the ROI report counts leads per campaign
  in a date range, and the leads without a campaign (campaign_id IS NULL); an index-only scan reads just
  those rows instead of every lead (650 ms p95 for 12 months).

Revision ID: marketing_0004
Revises: marketing_0003
"""

from nexus360.db import ddl

revision = "marketing_0004"
down_revision = "marketing_0003"
branch_labels = None
depends_on = None

LEAD_NAME = "(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))"

INDEXES = [
    "CREATE INDEX ix_leads_campaign_id_id ON leads (campaign_id, id)",
    "CREATE INDEX ix_leads_email_trgm ON leads USING gin (email gin_trgm_ops)",
    f"CREATE INDEX ix_leads_name_trgm ON leads USING gin ({LEAD_NAME} gin_trgm_ops)",
    "CREATE INDEX ix_leads_company_name_trgm ON leads USING gin (company_name gin_trgm_ops)",
    "CREATE INDEX ix_leads_campaign_created_cover ON leads (campaign_id, created_at) "
    "INCLUDE (status, converted_deal_id, id)",
]


def upgrade() -> None:
    ddl.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    ddl.create_indexes(INDEXES)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
