"""crm: forecast categories (issue 15): a default per stage, a deal's own choice, and the index the
Forecasts page reads a period through.

`deal_stages.forecast_category` is the category a deal in the stage falls in unless its owner (or a
manager) chose one: `deals.forecast_category` stays NULL until someone does, so a stage change moves
the deal's category only while nobody has chosen one, and never overwrites a choice. The stage defaults
are derived once from the stage (won: closed, lost: omitted, 80%+: commit, 40%+: best case, else
pipeline); an administrator's later edit is never overwritten by a re-run.

The Forecasts page sums a period's deals per owner, stage and category, lists them largest first, and the
statistical baseline sums won revenue per month over three years: keyed by (stage_id, close_date) with owner,
amount, category and id included, each is an index-only range scan per stage at a million deals (the queries
filter by stage ids, never by joining the stages; `bench forecasts`).

Revision ID: crm_0010
Revises: crm_0007 (re-chained after crm_0008/0009 at merge)
"""

from nexus360.db import ddl

revision = "crm_0010"
down_revision = "crm_0007"
branch_labels = None
depends_on = None

CATEGORIES = "('pipeline', 'best_case', 'commit', 'closed', 'omitted')"

INDEXES = [
    "CREATE INDEX ix_deals_stage_close_forecast ON deals (stage_id, close_date) "
    "INCLUDE (owner_id, amount, forecast_category, id)",
]


def upgrade() -> None:
    ddl.execute("ALTER TABLE deal_stages ADD COLUMN IF NOT EXISTS forecast_category VARCHAR(20)")
    ddl.execute(
        """
        UPDATE deal_stages SET forecast_category = CASE
            WHEN is_won THEN 'closed'
            WHEN is_lost THEN 'omitted'
            WHEN win_probability >= 80 THEN 'commit'
            WHEN win_probability >= 40 THEN 'best_case'
            ELSE 'pipeline' END
        WHERE forecast_category IS NULL
        """
    )
    ddl.execute("ALTER TABLE deal_stages ALTER COLUMN forecast_category SET DEFAULT 'pipeline'")
    ddl.execute("ALTER TABLE deal_stages ALTER COLUMN forecast_category SET NOT NULL")
    ddl.execute("ALTER TABLE deals ADD COLUMN IF NOT EXISTS forecast_category VARCHAR(20)")
    ddl.execute("ALTER TABLE deals ADD COLUMN IF NOT EXISTS forecast_category_set_by BIGINT")
    ddl.execute("ALTER TABLE deals ADD COLUMN IF NOT EXISTS forecast_category_set_at TIMESTAMP")
    for table in ("deal_stages", "deals"):
        ddl.execute(
            f"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'ck_{table}_forecast_category') THEN
                    ALTER TABLE {table} ADD CONSTRAINT ck_{table}_forecast_category
                        CHECK (forecast_category IN {CATEGORIES});
                END IF;
            END $$;
            """
        )
    ddl.create_indexes(INDEXES)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
