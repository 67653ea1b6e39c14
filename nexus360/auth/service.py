"""Who is signed in and what they may do: principals and permission checks.

Other parts of the domain: `auth.signin` (local and Entra ID sign-in), `auth.users` (who is who, and the
administration of users, roles and grants), `auth.audit` (the audit log).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from nexus360.auth import repository
from nexus360.auth.schemas import Principal
from nexus360.common.errors import AuthorizationError, NotFoundError


def get_principal(session: Session, user_id: int) -> Principal:
    """Load a user with their roles and effective permissions."""
    user = repository.get_user(session, user_id)
    if user is None:
        raise NotFoundError(f"User {user_id} does not exist.")
    return Principal(
        id=user.id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        is_active=bool(user.is_active),
        roles=tuple(repository.list_role_names(session, user.id)),
        permissions=frozenset(repository.list_permission_names(session, user.id)),
        access_version=user.access_version or 0,
    )


def get_principal_by_username(session: Session, username: str) -> Principal:
    """The principal behind a local account's username."""
    user = repository.get_user_by_username(session, username)
    if user is None:
        raise NotFoundError(f"No local account is called '{username}'.")
    return get_principal(session, user.id)


def get_principal_by_email(session: Session, email: str) -> Principal:
    """The principal with this email address (case-insensitive)."""
    user = repository.get_user_by_email(session, email)
    if user is None:
        raise NotFoundError(f"No user has the email address '{email}'.")
    return get_principal(session, user.id)


def require(principal: Principal, permission: str) -> None:
    """Raise AuthorizationError unless the principal holds `permission`."""
    if not principal.is_active or not principal.has(permission):
        raise AuthorizationError(permission, user_email=principal.email)


def require_any(principal: Principal, *permissions: str) -> None:
    """Raise AuthorizationError unless the principal holds at least one of `permissions`."""
    if not principal.is_active or not any(principal.has(permission) for permission in permissions):
        raise AuthorizationError(" or ".join(permissions), user_email=principal.email)


# --- directory sync ---------------------------------------------------------------------------------
# What the Microsoft Graph directory sync (nexus360.integrations.flows) reads and writes of users: it
# reaches the auth database only through these functions. Kept as one block, imports included, so it
# moves as one piece.

from pydantic import BaseModel  # noqa: E402

from nexus360.auth.audit import service as audit  # noqa: E402
from nexus360.auth.schemas import ADMIN  # noqa: E402

DIRECTORY_SYNC_ACTION = "directory.sync"
DIRECTORY_SYNC_REASON = "directory sync"  # nexus360_set_user_roles' reason


class SystemActor:
    """The operator running the sync from the command line (or a scheduler), not a signed-in user."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


class DirectoryUser(BaseModel):
    """A user as the directory sync compares them with the tenant."""

    id: int
    azure_id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    is_active: bool = True
    roles: frozenset[str] = frozenset()


class DirectorySnapshot(BaseModel):
    """Every user with their roles, and the names of the roles there are."""

    users: list[DirectoryUser]
    roles: frozenset[str]


def require_directory_sync(principal: Principal | SystemActor | None) -> None:
    """The system actor may sync; a signed-in user needs admin.users; anything else (None) is refused."""
    if isinstance(principal, SystemActor):
        return
    if not isinstance(principal, Principal):  # e.g. None from a missing session: never a silent system run
        raise AuthorizationError("admin.users")
    require(principal, "admin.users")


def get_directory_snapshot(session: Session, principal: Principal | SystemActor) -> DirectorySnapshot:
    """Every user (active or not) with their roles, and every role name."""
    require_directory_sync(principal)
    roles_of: dict[int, set[str]] = {}
    for user_id, role in repository.list_user_role_names(session):
        roles_of.setdefault(user_id, set()).add(role)
    users = [_directory_user(user, roles_of.get(user.id, set())) for user in repository.list_users(session)]
    return DirectorySnapshot(users=users, roles=frozenset(repository.list_role_ids(session)))


def create_directory_user(
    session: Session, principal: Principal | SystemActor, *, azure_id: str, email: str, first_name: str | None,
    last_name: str | None, is_active: bool, roles: set[str],
) -> DirectoryUser:
    """Add a user from the tenant with these roles (the database refuses what does not fit its columns)."""
    require_directory_sync(principal)
    user = repository.create_user(session, azure_id=azure_id, email=email, first_name=first_name, last_name=last_name)
    if not is_active:
        user.is_active = False
    role_ids = repository.list_role_ids(session)
    repository.replace_user_roles(session, user.id, (role_ids[role] for role in roles), actor_id=_actor_id(principal),
                                  reason=DIRECTORY_SYNC_REASON)
    return _directory_user(user, roles)


def update_directory_user(
    session: Session, principal: Principal | SystemActor, *, user_id: int, azure_id: str, email: str,
    first_name: str | None, last_name: str | None,
) -> None:
    """Set a user's Entra object id, email and names as the tenant has them."""
    require_directory_sync(principal)
    user = repository.get_user(session, user_id)
    if user is None:
        raise NotFoundError(f"User {user_id} does not exist.")
    user.azure_id, user.email, user.first_name, user.last_name = azure_id, email, first_name, last_name
    session.flush()


def replace_directory_roles(session: Session, principal: Principal | SystemActor, *, user_id: int,
                            roles: set[str]) -> None:
    """Give a user exactly these roles."""
    require_directory_sync(principal)
    role_ids = repository.list_role_ids(session)
    repository.replace_user_roles(session, user_id, (role_ids[role] for role in roles), actor_id=_actor_id(principal),
                                  reason=DIRECTORY_SYNC_REASON)


def deactivate_directory_user(session: Session, principal: Principal | SystemActor, *, user_id: int) -> None:
    """Deactivate a user (nothing is deleted); the caller has checked `has_another_active_admin`."""
    require_directory_sync(principal)
    user = repository.get_user(session, user_id)
    if user is None:
        raise NotFoundError(f"User {user_id} does not exist.")
    user.is_active = False
    session.flush()


def has_another_active_admin(session: Session, principal: Principal | SystemActor, *, user_id: int) -> bool:
    """Whether an active administrator other than `user_id` would remain."""
    require_directory_sync(principal)
    return repository.count_other_active_admins(session, user_id, admin_role=ADMIN) > 0


def record_directory_sync(
    session: Session, principal: Principal | SystemActor, *, failed: bool, integration: str, details: dict
) -> None:
    """Audit one sync run: who ran it, its status and counts."""
    require_directory_sync(principal)
    audit.record(session, user_id=_actor_id(principal), action=DIRECTORY_SYNC_ACTION,
                 result=audit.FAILED if failed else audit.ALLOWED,
                 object_type="integration", object_id=integration, details=details)


def _actor_id(principal: Principal | SystemActor) -> int | None:
    return principal.id if isinstance(principal, Principal) else None


def _directory_user(user, roles: set[str]) -> DirectoryUser:
    return DirectoryUser(id=user.id, azure_id=user.azure_id, email=user.email, first_name=user.first_name,
                         last_name=user.last_name, is_active=user.is_active is not False, roles=frozenset(roles))
