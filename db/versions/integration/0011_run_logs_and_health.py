"""integration: run-log columns, the indexes of the Integrations page at 10 million rows, health state.

integration_logs gets one row per attempt: `attempt`, `status_code`, `duration_ms`, `message_id` (the
webhook-id, or a run's id) and a `response_excerpt`. The page lists logs newest first, filtered by any of
integration, status and event over a time range, a page at a time by keyset (created_at, id): each filter
has a b-tree led by it and ending in (created_at, id), so a page is a short backward index range scan.
The health tiles aggregate 24 hours per integration index-only from (integration_id, created_at, id)
INCLUDE (status, duration_ms). That index replaces 0001's (integration_id, created_at). The contract's
b-tree on created_at serves time ranges and retention by age (a BRIN index would add nothing to it).

integration_states holds per connector what a log scan should not have to recompute: the failure streak,
the last success and failure, when admins were told it is failing, and a sync cursor (Graph's deltaLink).

Revision ID: integration_0011
Revises: integration_0010
"""

from nexus360.db import ddl

revision = "integration_0011"
down_revision = "integration_0010"
branch_labels = None
depends_on = None

COLUMNS = [
    "ALTER TABLE integration_logs ADD COLUMN IF NOT EXISTS attempt SMALLINT",
    "ALTER TABLE integration_logs ADD COLUMN IF NOT EXISTS status_code SMALLINT",
    "ALTER TABLE integration_logs ADD COLUMN IF NOT EXISTS duration_ms INT",
    "ALTER TABLE integration_logs ADD COLUMN IF NOT EXISTS message_id VARCHAR(64)",
    "ALTER TABLE integration_logs ADD COLUMN IF NOT EXISTS response_excerpt VARCHAR(500)",
]

STATES = """
CREATE TABLE IF NOT EXISTS integration_states (
    integration_id BIGINT PRIMARY KEY REFERENCES integration_configs (id) ON DELETE CASCADE,
    consecutive_failures INT NOT NULL DEFAULT 0,
    streak_started_at TIMESTAMP,
    last_run_at TIMESTAMP,
    last_success_at TIMESTAMP,
    last_failure_at TIMESTAMP,
    failing_notified_at TIMESTAMP,
    cursor TEXT,
    cursor_at TIMESTAMP,
    updated_at TIMESTAMP DEFAULT timezone('utc', now())
)
"""

INDEXES = [
    "CREATE INDEX ix_integration_logs_integration_time ON integration_logs (integration_id, created_at, id) "
    "INCLUDE (status, duration_ms)",
    "CREATE INDEX ix_integration_logs_status_time ON integration_logs (status, created_at, id)",
    "CREATE INDEX ix_integration_logs_event_time ON integration_logs (event_type, created_at, id)",
    "CREATE INDEX ix_integration_logs_integration_status_time ON integration_logs "
    "(integration_id, status, created_at, id)",
    "CREATE INDEX ix_integration_logs_message ON integration_logs (message_id) WHERE message_id IS NOT NULL",
]


def upgrade() -> None:
    for statement in COLUMNS:
        ddl.execute(statement)
    ddl.execute(STATES)
    ddl.execute("CREATE OR REPLACE TRIGGER trg_integration_states_updated_at BEFORE UPDATE ON integration_states "
                f"FOR EACH ROW EXECUTE FUNCTION {ddl.TOUCH_FUNCTION}()")
    ddl.create_indexes(INDEXES)
    ddl.execute("DROP INDEX IF EXISTS ix_integration_logs_integration_id")


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
