"""forecasting: a rep reads only their own forecasts, calls, snapshots and snapshot deals; holders of
forecasts.manage read and write their team's (the services narrow "any" to the manager's team).

A rep writes their own call (owner = themselves); only forecasts.manage writes other people's rows (an
adjusted call) or the company's. Factors follow their forecast. Rows without an owner (the company's,
and rows from before issue 15) are managers' only.

Revision ID: forecasting_0004
Revises: forecasting_0003
"""

from nexus360.db import rls

revision = "forecasting_0004"
down_revision = "forecasting_0003"
branch_labels = None
depends_on = None

# The functions in scalar subqueries: evaluated once per statement, not once per row (a snapshot of a company
# quarter inserts about 100,000 deal rows in one statement).
OWN = "owner_id = (SELECT nexus360_user_id()) OR (SELECT nexus360_has_permission('forecasts.manage'))"
OWN_FORECAST = "EXISTS (SELECT 1 FROM forecasts f WHERE f.id = forecast_id)"  # the forecasts policy applies inside
TABLES = {
    "forecasts": OWN,
    "forecast_snapshots": OWN,
    "forecast_factors": OWN_FORECAST,
    "forecast_snapshot_deals": OWN,  # the deal's owner: a rep reads their own deals in any snapshot
}


def upgrade() -> None:
    rls.install_functions()
    for table, rule in TABLES.items():
        rls.enable(table)
        rls.policy(table, f"{table}_read", "SELECT", using=rule)
        rls.policy(table, f"{table}_insert", "INSERT", check=rule)
        rls.policy(table, f"{table}_update", "UPDATE", using=rule, check=rule)
        rls.policy(table, f"{table}_delete", "DELETE", using="(SELECT nexus360_has_permission('forecasts.manage'))")


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
