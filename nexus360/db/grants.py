"""What the app's database role may do, granted after every upgrade (`migrate.grant_app_access`).

Every table gets SELECT, INSERT, UPDATE and DELETE, then each database takes back what its code paths never need,
so that a future bug in one query cannot erase the audit trail, read every password hash or rewrite who holds
which role. The auth database's narrow functions (auth_0006) do the little the app needs instead. A new table
starts with the full grant: add its limits here when it has any.
"""

from __future__ import annotations

from nexus360.db.base import Database

GRANTS = (
    'GRANT USAGE ON SCHEMA public TO "{role}"',
    'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
    'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO "{role}"',
    'REVOKE ALL ON TABLE alembic_version FROM "{role}"',
)

LOCAL_CREDENTIAL_COLUMNS = "user_id, username, failed_attempts, last_failed_at, created_at, updated_at, signed_out_at"

LIMITS: dict[Database, tuple[str, ...]] = {
    Database.AUTH: (
        # The audit log is written and read, never changed.
        'REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM "{role}"',
        # Password hashes: set by an admin, read only through nexus360_local_credential(username).
        'REVOKE SELECT, DELETE, TRUNCATE ON local_credentials FROM "{role}"',
        f'GRANT SELECT ({LOCAL_CREDENTIAL_COLUMNS}) ON local_credentials TO "{{role}}"',
        # Roles change only through nexus360_set_user_roles (checks admin.users, writes the audit event).
        'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON user_roles FROM "{role}"',
        # Users are deactivated, never deleted; roles and permissions come with the migrations.
        'REVOKE DELETE, TRUNCATE ON users FROM "{role}"',
        'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON roles, permissions FROM "{role}"',
        'REVOKE UPDATE, TRUNCATE ON role_permissions FROM "{role}"',
        'REVOKE DELETE, TRUNCATE ON user_sessions FROM "{role}"',
    ),
    # The other histories are written as things happen and read back, never rewritten (a deleted deal, campaign
    # or statement takes its history with it through the foreign key, which runs as the tables' owner).
    Database.CRM: ('REVOKE UPDATE, DELETE, TRUNCATE ON deal_stage_history FROM "{role}"',),
    Database.MARKETING: ('REVOKE UPDATE, DELETE, TRUNCATE ON campaign_changes FROM "{role}"',),
    Database.COMPENSATION: ('REVOKE UPDATE, DELETE, TRUNCATE ON commission_events FROM "{role}"',),
}


def statements(database: Database, role: str) -> list[str]:
    """The grants of the app's `role` on `database`, in the order they must run."""
    return [statement.format(role=role) for statement in (*GRANTS, *LIMITS.get(Database(database), ()))]
