"""forecasting: the deals behind each snapshot, so two snapshots of a period can be reconciled deal by deal.

One row per open or won deal closing in the snapshot's period (and scope) as it stood then: owner, amount,
close date, stage, forecast category, and the day the deal was created (a deal created after the earlier
snapshot is "new", one that existed is "pulled in"). Deal titles stay in the CRM.

Revision ID: forecasting_0003
Revises: forecasting_0002
"""

from nexus360.db import ddl

revision = "forecasting_0003"
down_revision = "forecasting_0002"
branch_labels = None
depends_on = None

TABLE = """
CREATE TABLE IF NOT EXISTS forecast_snapshot_deals (
    snapshot_id BIGINT NOT NULL REFERENCES forecast_snapshots(id) ON DELETE CASCADE,
    deal_id BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    amount DECIMAL(15,2) NOT NULL,
    close_date DATE NOT NULL,
    stage_id INT NOT NULL,
    category VARCHAR(20) NOT NULL,
    is_won BOOLEAN NOT NULL,
    created_on DATE,
    PRIMARY KEY (snapshot_id, deal_id)
);
"""


def upgrade() -> None:
    ddl.execute(TABLE)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
