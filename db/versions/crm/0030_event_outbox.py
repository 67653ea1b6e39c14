"""crm: the event outbox (webhook events written in the same transaction as the change that causes them).

The worker (`python -m nexus360 worker`) relays its undispatched rows to the integration database's job
queue; see nexus360/jobs/models.py.

Revision ID: crm_0030
Revises: crm_0020
"""

from nexus360.db import ddl

revision = "crm_0030"
down_revision = "crm_0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_event_outbox()


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
