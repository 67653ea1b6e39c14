"""compensation: a rep reads only their own performance rows; holders of commissions.read_all read
all of them; only holders of commissions.manage write them (commission runs).

Revision ID: compensation_0002
Revises: compensation_0001
"""

from nexus360.db import rls

revision = "compensation_0002"
down_revision = "compensation_0001"
branch_labels = None
depends_on = None

READ = "user_id = nexus360_user_id() OR nexus360_has_permission('commissions.read_all')"
MANAGE = "nexus360_has_permission('commissions.manage')"


def upgrade() -> None:
    rls.install_functions()
    rls.enable("sales_performance")
    rls.policy("sales_performance", "performance_read", "SELECT", using=READ)
    rls.policy("sales_performance", "performance_insert", "INSERT", check=MANAGE)
    rls.policy("sales_performance", "performance_update", "UPDATE", using=MANAGE, check=MANAGE)
    rls.policy("sales_performance", "performance_delete", "DELETE", using=MANAGE)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
