"""Signing in: local accounts and Microsoft Entra ID.

Local accounts: a username and a bcrypt hash (the format streamlit-authenticator checks); repeated
failures wait longer and longer; an admin sets passwords; signing out revokes the cookies issued before.

Entra ID: Streamlit (`st.login`, Authlib underneath) runs the OpenID Connect flow and checks the token's
signature, issuer, audience, nonce and expiry; `sign_in_from_claims` only decides who the person is here:
the user with that object id (`oid`), else the user with that email address (then linked to the oid),
else a new user with the default role. App roles and groups mapped in the settings replace the user's
roles on every sign-in, so Entra stays the source of truth for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import bcrypt
from sqlalchemy.orm import Session

from nexus360.auth import repository as principals
from nexus360.auth.audit import service as audit
from nexus360.auth.models import User
from nexus360.auth.schemas import Principal
from nexus360.auth.service import get_principal, require
from nexus360.auth.signin import repository
from nexus360.common.errors import Nexus360Error, NotFoundError, ValidationError
from nexus360.config import Settings

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """A bcrypt hash of the password, to store."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """Whether the password matches the stored hash (False for a malformed hash)."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


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
    if principals.get_user(session, user_id) is None:
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


# --- Microsoft Entra ID ------------------------------------------------------------------------------

ENTRA_ACTION = "sign_in.entra"
NAME_LENGTH = 100  # users.first_name / last_name


@dataclass(frozen=True)
class EntraIdentity:
    """The claims Nexus360 uses, read from an ID token."""

    oid: str
    email: str
    first_name: str | None
    last_name: str | None
    claimed_roles: tuple[str, ...]  # the token's `roles` and `groups`, in that order


def sign_in_from_claims(session: Session, claims: Mapping[str, Any], *, settings: Settings) -> Principal:
    """Find, link or create the user behind Entra ID token claims; refuse missing claims and inactive users."""
    identity = _identity(session, claims)
    user, matched_by = _find_user(session, identity)
    if user is not None and user.is_active is False:
        _refuse(session, "inactive", user_id=user.id, oid=identity.oid)
        raise SignInRefused("This account is deactivated. Ask an administrator to reactivate it.")
    if user is None:
        user = principals.create_user(
            session, azure_id=identity.oid, email=identity.email,
            first_name=identity.first_name, last_name=identity.last_name,
        )
        _assign_roles(session, user.id, [settings.entra_default_role])
    else:
        _update_profile(session, user, identity)
    mapped = mapped_roles(identity.claimed_roles, settings.entra_role_map)
    if mapped:
        _assign_roles(session, user.id, mapped)
    principal = get_principal(session, user.id)
    audit.record(session, user_id=user.id, action=ENTRA_ACTION, result=audit.ALLOWED,
                 details={"matched_by": matched_by, "oid": identity.oid, "roles": list(principal.roles)})
    return principal


def mapped_roles(claimed: Iterable[str], role_map: Mapping[str, str]) -> list[str]:
    """Nexus360 role names for the claimed app roles / group ids that the map knows, without duplicates."""
    return list(dict.fromkeys(role_map[value] for value in claimed if value in role_map))


def _identity(session: Session, claims: Mapping[str, Any]) -> EntraIdentity:
    oid = _text(claims.get("oid"))
    email = _email(claims)
    if not oid:
        _refuse(session, "no oid claim", email=email)
        raise SignInRefused(
            "Microsoft did not send your account's object id (oid), so you cannot be signed in. "
            "Ask an administrator to check the app registration."
        )
    if not email:
        _refuse(session, "no email claim", oid=oid)
        raise SignInRefused(
            "Microsoft did not send an email address for your account, so you cannot be signed in. "
            "Ask an administrator to add the email claim to the app registration."
        )
    return EntraIdentity(
        oid=oid,
        email=email,
        first_name=_name(claims.get("given_name")),
        last_name=_name(claims.get("family_name")),
        claimed_roles=(*_strings(claims.get("roles")), *_strings(claims.get("groups"))),
    )


def _email(claims: Mapping[str, Any]) -> str | None:
    # `email` is optional in Entra tokens; `preferred_username` (the UPN) is usually the address, but
    # may be a phone number or a bare name, so it only counts when it looks like an address.
    for key in ("email", "preferred_username"):
        value = _text(claims.get(key))
        if value and "@" in value:
            return value.lower()
    return None


def _find_user(session: Session, identity: EntraIdentity) -> tuple[User | None, str]:
    user = repository.get_user_by_azure_id(session, identity.oid)
    if user is not None:
        return user, "oid"
    user = principals.get_user_by_email(session, identity.email)
    if user is not None:
        return user, "email"
    return None, "created"


def _update_profile(session: Session, user: User, identity: EntraIdentity) -> None:
    # Linking by email: from now on the user is found by their object id, which never changes.
    user.azure_id = identity.oid
    if identity.first_name is not None:
        user.first_name = identity.first_name
    if identity.last_name is not None:
        user.last_name = identity.last_name
    session.flush()


def _assign_roles(session: Session, user_id: int, names: list[str]) -> None:
    """Give the user exactly these roles (unknown names are skipped); no write when nothing changes."""
    known = principals.get_role_ids(session, names)
    if not known:  # a misconfigured map or default role must not strip a user of every role
        return
    if set(principals.list_role_names(session, user_id)) != set(known):
        principals.replace_user_roles(session, user_id, known.values())


def _refuse(session: Session, reason: str, *, user_id: int | None = None, **details: str | None) -> None:
    audit.record(session, user_id=user_id, action=ENTRA_ACTION, result=audit.REFUSED,
                 details={"reason": reason, **{key: value for key, value in details.items() if value}})


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _name(value: Any) -> str | None:
    text = _text(value)
    return text[:NAME_LENGTH] if text else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []
