"""auth: local_credentials.signed_out_at, so signing out revokes sign-in cookies on the server.

The browser deletes the cookie through a component, which a closing tab can cut short; a cookie
issued before the user last signed out is refused whatever the browser kept.

Revision ID: auth_0002
Revises: auth_0001
"""

from nexus360.db import ddl

revision = "auth_0002"
down_revision = "auth_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.execute("ALTER TABLE local_credentials ADD COLUMN IF NOT EXISTS signed_out_at TIMESTAMP")


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
