"""Writing the audit log: every domain records here what was refused, failed or done, in the caller's auth
transaction. Reading it is user administration (`auth.users.service.list_audit_events`, admin.users).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth.audit import repository

ALLOWED = "allowed"
REFUSED = "refused"
FAILED = "failed"


def record(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    result: str,
    object_type: str | None = None,
    object_id: object | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one audit event to the session's transaction (anyone's action is recorded, even a refused one)."""
    repository.add_event(session, user_id=user_id, action=action, object_type=object_type,
                         object_id=None if object_id is None else str(object_id), result=result, details=details)

