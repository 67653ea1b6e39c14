"""crm: deals.is_open, kept by a trigger from the deal's stage, and the indexes it allows.

"Open deals by close date" is the list reps live in. Open/closed is a property of the stage (another
table), so no index on deals could serve that order: PostgreSQL walked every closed deal first. A
trigger-maintained flag lets a partial index hand out the open deals already in order. The flag is
derived data: the trigger sets it on every insert and stage change, whatever the writer.

Revision ID: crm_0005
Revises: crm_0004
"""

from nexus360.db import ddl

revision = "crm_0005"
down_revision = "crm_0004"
branch_labels = None
depends_on = None

CLOSE_KEY = "coalesce(close_date, DATE '9999-12-31')"


def upgrade() -> None:
    ddl.execute("ALTER TABLE deals ADD COLUMN IF NOT EXISTS is_open BOOLEAN NOT NULL DEFAULT true")
    ddl.execute(
        """
        CREATE OR REPLACE FUNCTION nexus360_deal_is_open() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.is_open := NOT EXISTS (
                SELECT 1 FROM deal_stages s WHERE s.id = NEW.stage_id AND (s.is_won OR s.is_lost)
            );
            RETURN NEW;
        END $$;
        """
    )
    ddl.execute(
        "CREATE OR REPLACE TRIGGER trg_deals_is_open BEFORE INSERT OR UPDATE OF stage_id ON deals "
        "FOR EACH ROW EXECUTE FUNCTION nexus360_deal_is_open()"
    )
    ddl.execute(
        "UPDATE deals d SET is_open = false FROM deal_stages s "
        "WHERE s.id = d.stage_id AND (s.is_won OR s.is_lost) AND d.is_open"
    )
    ddl.create_indexes([
        f"CREATE INDEX ix_deals_open_close_key ON deals ({CLOSE_KEY}, id) WHERE is_open",
        f"CREATE INDEX ix_deals_open_owner_close_key ON deals (owner_id, {CLOSE_KEY}, id) WHERE is_open",
    ])


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
