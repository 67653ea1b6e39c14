"""notifications: each user reads and changes only their own notifications.

Anyone may create a notification for someone else (approvals, hand-offs, broadcasts), but cannot
read it afterwards.

Revision ID: notifications_0002
Revises: notifications_0001
"""

from nexus360.db import rls

revision = "notifications_0002"
down_revision = "notifications_0001"
branch_labels = None
depends_on = None

OWN = "user_id = nexus360_user_id()"


def upgrade() -> None:
    rls.install_functions()
    rls.enable("notifications")
    rls.policy("notifications", "notifications_read_own", "SELECT", using=OWN)
    rls.policy("notifications", "notifications_insert", "INSERT", check="true")
    rls.policy("notifications", "notifications_update_own", "UPDATE", using=OWN, check=OWN)
    rls.policy("notifications", "notifications_delete_own", "DELETE", using=OWN)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
