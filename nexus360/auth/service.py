"""Who is signed in and what they may do: principals, permission checks, local accounts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from nexus360.auth import audit, repository
from nexus360.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from nexus360.auth.schemas import LocalAccount, Principal
from nexus360.common.errors import AuthorizationError, Nexus360Error, NotFoundError, ValidationError


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


def list_local_accounts(session: Session) -> list[LocalAccount]:
    """Every local account with its hash, for the sign-in widget (never shown to anyone)."""
    return [
        LocalAccount(
            user_id=user.id,
            username=credential.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            password_hash=credential.password_hash,
            is_active=bool(user.is_active),
            roles=tuple(repository.list_role_names(session, user.id)),
        )
        for credential, user in repository.list_local_credentials(session)
    ]


# --- Local accounts: sign-in with throttling, passwords set by admins ---------------------------

FREE_ATTEMPTS = 3  # failures before each further attempt must wait
MAX_WAIT_SECONDS = 300


class SignInRefused(Nexus360Error):
    """Sign-in did not succeed; the message says why in words the person can act on."""


def seconds_to_wait(failed_attempts: int, last_failed_at: datetime | None, *, now: datetime) -> float:
    """How long the next attempt must wait: 0 for the first few failures, then doubling, capped."""
    if failed_attempts < FREE_ATTEMPTS or last_failed_at is None:
        return 0.0
    delay = min(2 ** (failed_attempts - FREE_ATTEMPTS + 1), MAX_WAIT_SECONDS)
    return max(0.0, delay - (_naive_utc(now) - _naive_utc(last_failed_at)).total_seconds())


def _naive_utc(moment: datetime) -> datetime:
    """The database keeps UTC timestamps without a zone; compare like with like."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def authenticate_local(session: Session, username: str, password: str, *, now: datetime) -> Principal:
    """Check a local username and password; throttle repeated failures; refuse inactive users."""
    name = (username or "").strip()
    if not name or not password:
        raise SignInRefused("Enter your username and password.")
    credential = repository.get_local_credential(session, name)
    if credential is None:
        verify_password(password, _DUMMY_HASH)  # same work as a real check: do not reveal who exists
        audit.record(session, user_id=None, action="sign_in.local", result=audit.REFUSED,
                     object_type="username", object_id=name[:100], details={"reason": "unknown username"})
        raise SignInRefused("Wrong username or password.")
    wait = seconds_to_wait(credential.failed_attempts, credential.last_failed_at, now=now)
    if wait > 0:
        raise SignInRefused(f"Too many failed attempts. Try again in {int(wait) + 1} seconds.")
    if not verify_password(password, credential.password_hash):
        credential.failed_attempts += 1
        credential.last_failed_at = _naive_utc(now)
        audit.record(session, user_id=credential.user_id, action="sign_in.local", result=audit.REFUSED,
                     details={"reason": "wrong password", "failed_attempts": credential.failed_attempts})
        raise SignInRefused("Wrong username or password.")
    principal = get_principal(session, credential.user_id)
    if not principal.is_active:
        audit.record(session, user_id=principal.id, action="sign_in.local", result=audit.REFUSED,
                     details={"reason": "inactive"})
        raise SignInRefused("This account is deactivated. Ask an administrator to reactivate it.")
    credential.failed_attempts = 0
    credential.last_failed_at = None
    audit.record(session, user_id=principal.id, action="sign_in.local", result=audit.ALLOWED)
    return principal


def set_local_password(session: Session, principal: Principal, *, user_id: int, username: str, password: str) -> None:
    """Admins create or reset a user's local account password."""
    require(principal, "admin.users")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    name = username.strip().lower()
    if not name or len(name) > 100 or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise ValidationError("A username is 1–100 letters, digits, dots, dashes or underscores.")
    if repository.get_user(session, user_id) is None:
        raise NotFoundError(f"User {user_id} does not exist.")
    taken = repository.get_local_credential(session, name)
    if taken is not None and taken.user_id != user_id:
        raise ValidationError(f"The username '{name}' is already taken.")
    repository.upsert_local_credential(session, user_id=user_id, username=name, password_hash=hash_password(password))
    audit.record(session, user_id=principal.id, action="admin.set_password", result=audit.ALLOWED,
                 object_type="user", object_id=user_id)


_DUMMY_HASH = "$2b$12$D5ktRoUvIT1R8jxCuEEHwOW7faMmUZmhakS0ADX2r86eQ2crvs0S2"  # bcrypt of a random string


def record_sign_out(session: Session, *, user_id: int, now: datetime) -> None:
    """Revoke the user's local sign-in cookies issued until now (on every device)."""
    credential = repository.get_local_credential_by_user(session, user_id)
    if credential is not None:
        credential.signed_out_at = _naive_utc(now)
        audit.record(session, user_id=user_id, action="sign_out.local", result=audit.ALLOWED)


def cookie_still_valid(session: Session, *, user_id: int, issued_at: datetime) -> bool:
    """False when the user signed out after this cookie was issued."""
    credential = repository.get_local_credential_by_user(session, user_id)
    if credential is None or credential.signed_out_at is None:
        return True
    return _naive_utc(issued_at) > credential.signed_out_at
