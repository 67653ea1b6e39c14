"""forecasting: the event outbox (webhook events written in the same transaction as the change that causes them).

The worker (`python -m nexus360 worker`) relays its undispatched rows to the integration database's job
queue; see nexus360/jobs/models.py.

Revision ID: forecasting_0030
Revises: forecasting_0004
"""

from nexus360.db import ddl

revision = "forecasting_0030"
down_revision = "forecasting_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_event_outbox()


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
