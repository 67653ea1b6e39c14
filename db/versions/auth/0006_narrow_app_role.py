"""auth: what the app's database role may do with credentials and roles, through two narrow functions.

The app's role (nexus360_app) no longer reads `local_credentials.password_hash` with a plain SELECT, nor writes
`user_roles`, nor updates or deletes `audit_events` (nexus360/db/grants.py revokes those after every upgrade).
What the app needs instead:

- `nexus360_local_credential(username)`: the one hash a sign-in checks, for one username (a query that forgot
  its filter can no longer read every hash);
- `nexus360_set_user_roles(target, role_ids, actor, reason)`: gives one user exactly these roles, changes only
  what differs, refuses an administrator's change unless `actor` is an active holder of admin.users (checked
  here, in the database), and writes the audit event itself, so no change of roles goes unrecorded. The other
  reasons are a Microsoft sign-in applying the token's roles and the directory sync.

Both run with their owner's rights (SECURITY DEFINER, search_path pinned).

Revision ID: auth_0006
Revises: auth_0005
"""

from nexus360.db import ddl

revision = "auth_0006"
down_revision = "auth_0005"
branch_labels = None
depends_on = None

FUNCTIONS = """
CREATE OR REPLACE FUNCTION nexus360_local_credential(name TEXT) RETURNS TABLE (user_id BIGINT, password_hash TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.user_id, c.password_hash::TEXT FROM local_credentials c
    WHERE lower(c.username) = lower(btrim(name)) LIMIT 1
$$;

CREATE OR REPLACE FUNCTION nexus360_set_user_roles(target BIGINT, role_ids INT[], actor BIGINT, reason TEXT)
RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    before TEXT[];
    after TEXT[];
BEGIN
    IF reason = 'admin' THEN
        IF actor IS NULL OR NOT EXISTS (
            SELECT 1 FROM users u
            JOIN user_roles ur ON ur.user_id = u.id
            JOIN role_permissions rp ON rp.role_id = ur.role_id
            JOIN permissions p ON p.id = rp.permission_id
            WHERE u.id = actor AND COALESCE(u.is_active, TRUE) AND p.name = 'admin.users'
        ) THEN
            RAISE EXCEPTION 'changing roles needs the admin.users permission' USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF reason IS NULL OR reason NOT IN ('entra sign-in', 'directory sync') THEN
        RAISE EXCEPTION 'unknown reason for changing roles: %', reason USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = target) THEN
        RAISE EXCEPTION 'user % does not exist', target USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT COALESCE(array_agg(r.name ORDER BY r.name), '{}') INTO before
    FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = target;
    DELETE FROM user_roles WHERE user_id = target AND NOT (role_id = ANY (COALESCE(role_ids, '{}')));
    INSERT INTO user_roles (user_id, role_id)
    SELECT target, r.id FROM roles r WHERE r.id = ANY (COALESCE(role_ids, '{}'))
    ON CONFLICT DO NOTHING;
    SELECT COALESCE(array_agg(r.name ORDER BY r.name), '{}') INTO after
    FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = target;
    IF before IS DISTINCT FROM after THEN
        INSERT INTO audit_events (user_id, action, object_type, object_id, result, details)
        VALUES (actor,
                CASE reason WHEN 'admin' THEN 'admin.set_roles' WHEN 'entra sign-in' THEN 'sign_in.entra.set_roles'
                            ELSE 'directory.set_roles' END,
                'user', target::TEXT, 'allowed',
                jsonb_build_object('before', to_jsonb(before), 'after', to_jsonb(after)));
    END IF;
END $$;
"""


def upgrade() -> None:
    ddl.execute(FUNCTIONS)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
