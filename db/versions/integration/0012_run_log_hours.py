"""integration: hourly run counts per connector, so the health tiles never scan the run log.

At 10 million log rows (a third of a million in the last 24 hours) the tiles' aggregate over the log took
300 ms median and 630 ms p95 (`bench integrations`). Every recorded run now also adds one to its connector's
hour here: runs, successful runs, and a histogram of durations (DURATION_BOUNDS_MS, ms, upper bounds; the last
bucket is everything slower), from which the tile reads the p95 as the upper bound of its bucket. The last
48 hours of an existing log are counted in at upgrade.

Revision ID: integration_0012
Revises: integration_0011
"""

from nexus360.db import ddl

revision = "integration_0012"
down_revision = "integration_0011"
branch_labels = None
depends_on = None

# Keep in step with nexus360.integrations.logs.schemas.DURATION_BOUNDS_MS.
DURATION_BOUNDS_MS = (10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500,
                      10000, 15000, 30000)

TABLE = """
CREATE TABLE IF NOT EXISTS integration_log_hours (
    integration_id BIGINT NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
    hour TIMESTAMP NOT NULL,
    runs INT NOT NULL DEFAULT 0,
    ok INT NOT NULL DEFAULT 0,
    durations INT[] NOT NULL,
    PRIMARY KEY (integration_id, hour)
)
"""


def bucket_counts_sql() -> str:
    """ARRAY[count of rows in each duration bucket] over integration_logs (rows without a duration: none)."""
    lower = (None, *DURATION_BOUNDS_MS)
    parts = []
    for low, high in zip(lower, (*DURATION_BOUNDS_MS, None), strict=True):
        conditions = ["duration_ms IS NOT NULL"]
        if low is not None:
            conditions.append(f"duration_ms > {low}")
        if high is not None:
            conditions.append(f"duration_ms <= {high}")
        parts.append(f"(count(*) FILTER (WHERE {' AND '.join(conditions)}))::int")
    return f"ARRAY[{', '.join(parts)}]"


def upgrade() -> None:
    ddl.execute(TABLE)
    ddl.execute(
        "INSERT INTO integration_log_hours (integration_id, hour, runs, ok, durations) "
        "SELECT integration_id, date_trunc('hour', created_at), count(*), "
        "count(*) FILTER (WHERE status IN ('success', 'partial')), " + bucket_counts_sql() + " "
        "FROM integration_logs WHERE created_at >= timezone('utc', now()) - interval '48 hours' "
        "GROUP BY 1, 2 ON CONFLICT DO NOTHING"
    )


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
