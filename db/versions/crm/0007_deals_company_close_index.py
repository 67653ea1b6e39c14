"""crm: an index behind the commission run's read of a period's won deals, at a million deals.

`compensation.service.list_won_deals` asks, for each won deal of the period, whether the same company had
won a deal before it (new or existing customer). With only company_id indexed, each of those ~20,000 probes
was a bitmap heap scan plus a join (1.1 s for a quarter, `python -m nexus360 bench commissions`). Keyed by
(company_id, close_date, id) with the stage included, each probe is a short index-only range scan.

Revision ID: crm_0007
Revises: crm_0006
"""

from nexus360.db import ddl

revision = "crm_0007"
down_revision = "crm_0006"
branch_labels = None
depends_on = None

INDEXES = ["CREATE INDEX ix_deals_company_close_id ON deals (company_id, close_date, id) INCLUDE (stage_id)"]


def upgrade() -> None:
    ddl.create_indexes(INDEXES)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
