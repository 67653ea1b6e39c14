"""Signing in: local accounts and Microsoft Entra ID.

Local accounts: a username and a bcrypt hash; repeated failures wait longer and longer (counted per client
address and per account from an address); an admin sets passwords. Signed-in sessions: `auth.sessions`.

Entra ID: Streamlit (`st.login`, Authlib underneath) runs the OpenID Connect flow and checks the token's
signature, issuer, audience, nonce and expiry; `sign_in_from_claims` only decides who the person is here:
the user with that object id (`oid`), else a user with that email address who is not linked to Entra yet (then
linked to the oid, and only when the token says the address is verified), else a new user with the default
role. One object id never replaces another: an e-mail address alone cannot take over an account. App roles
and groups mapped in the settings replace the user's roles on every sign-in, so Entra stays the source of
truth for them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import bcrypt
from sqlalchemy.orm import Session

from nexus360.auth import repository as principals
from nexus360.auth.audit import service as audit
from nexus360.auth.models import User
from nexus360.auth.schemas import LOCAL_AZURE_ID_PREFIX, Principal
from nexus360.auth.service import get_principal, require
from nexus360.auth.signin import repository
from nexus360.common.errors import Nexus360Error, NotFoundError, ValidationError
from nexus360.config import Settings, get_settings

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

ADDRESS, ACCOUNT = "address", "account"  # sign_in_throttle.scope
LOCAL_ADDRESS = "local"  # the client address of a visitor on this machine (Streamlit reports none)
FREE_ATTEMPTS = Settings.model_fields["signin_free_attempts"].default
MAX_WAIT_SECONDS = Settings.model_fields["signin_max_wait_seconds"].default


class SignInRefused(Nexus360Error):
    """Sign-in did not succeed; the message says why in words the person can act on."""


@dataclass(frozen=True)
class ThrottleLimits:
    """How many failures are free, per account from one address and per address, and how long they count."""

    free_attempts: int = FREE_ATTEMPTS
    address_free_attempts: int = Settings.model_fields["signin_address_free_attempts"].default
    max_wait_seconds: int = MAX_WAIT_SECONDS
    window: timedelta = timedelta(minutes=Settings.model_fields["signin_failure_window_minutes"].default)

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottleLimits:
        return cls(settings.signin_free_attempts, settings.signin_address_free_attempts,
                   settings.signin_max_wait_seconds, timedelta(minutes=settings.signin_failure_window_minutes))


def seconds_to_wait(failed_attempts: int, last_failed_at: datetime | None, *, now: datetime,
                    free: int = FREE_ATTEMPTS, max_wait: int = MAX_WAIT_SECONDS) -> float:
    """How long the next attempt must wait: 0 for the first few failures, then doubling, capped."""
    if failed_attempts < free or last_failed_at is None:
        return 0.0
    delay = min(2 ** (failed_attempts - free + 1), max_wait)
    return max(0.0, delay - (_naive_utc(now) - _naive_utc(last_failed_at)).total_seconds())


def _naive_utc(moment: datetime) -> datetime:
    """The database keeps UTC timestamps without a zone; compare like with like."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _counter_key(*parts: str) -> str:
    # Hashed: people type passwords into the username field, and addresses are personal data.
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def authenticate_local(session: Session, username: str, password: str, *, now: datetime,
                       client_address: str | None = None, limits: ThrottleLimits | None = None) -> Principal:
    """Check a local username and password; throttle repeated failures; refuse inactive users.

    Failures count per client address and per account as tried from that address, so nobody can lock an
    account out from elsewhere by knowing its name. Both counters are locked (always in that order) before
    the password is checked, so parallel attempts queue and each sees the count of the one before; an
    unknown username is counted and answered exactly like a known one.
    """
    name = (username or "").strip()
    if not name or not password:
        raise SignInRefused("Enter your username and password.")
    limits = limits or ThrottleLimits.from_settings(get_settings())
    address = client_address or LOCAL_ADDRESS
    at = _naive_utc(now)
    counters = {ADDRESS: (_counter_key(address), limits.address_free_attempts),
                ACCOUNT: (_counter_key(name.lower(), address), limits.free_attempts)}
    fresh: dict[str, bool] = {}
    wait = 0.0
    for scope, (key, free) in counters.items():
        failures, last_failed_at = repository.lock_throttle(session, scope, key)
        fresh[scope] = last_failed_at is None or at - last_failed_at > limits.window
        if not fresh[scope]:
            wait = max(wait, seconds_to_wait(failures, last_failed_at, now=at, free=free,
                                             max_wait=limits.max_wait_seconds))
    if wait > 0:
        _record_local(session, None, "throttled", username=name)
        raise SignInRefused(f"Too many failed attempts. Try again in {math.ceil(wait)} seconds.")
    credential = repository.get_password_hash(session, name)  # (user id, hash)
    # The same work for an unknown username as for a real check: the reply time reveals nobody.
    matches = verify_password(password, credential[1] if credential else _DUMMY_HASH)
    if credential is None or not matches:
        for scope, (key, _free) in counters.items():
            repository.count_failure(session, scope, key, at=at, restart=fresh[scope])
        _record_local(session, credential[0] if credential else None,
                      "wrong password" if credential else "unknown username", username=name)
        raise SignInRefused("Wrong username or password.")
    principal = get_principal(session, credential[0])
    if not principal.is_active:
        _record_local(session, principal.id, "inactive")
        raise SignInRefused("This account is deactivated. Ask an administrator to reactivate it.")
    repository.clear_throttle(session, ACCOUNT, counters[ACCOUNT][0])
    audit.record(session, user_id=principal.id, action="sign_in.local", result=audit.ALLOWED)
    return principal


def _record_local(session: Session, user_id: int | None, reason: str, *, username: str | None = None) -> None:
    audit.record(session, user_id=user_id, action="sign_in.local", result=audit.REFUSED,
                 object_type="username" if user_id is None and username else None,
                 object_id=username[:100] if user_id is None and username else None, details={"reason": reason})


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
    owner = repository.get_credential_owner(session, name)
    if owner is not None and owner != user_id:
        raise ValidationError(f"The username '{name}' is already taken.")
    repository.upsert_local_credential(session, user_id=user_id, username=name, password_hash=hash_password(password))
    audit.record(session, user_id=principal.id, action="admin.set_password", result=audit.ALLOWED,
                 object_type="user", object_id=user_id)


_DUMMY_HASH = "$2b$12$D5ktRoUvIT1R8jxCuEEHwOW7faMmUZmhakS0ADX2r86eQ2crvs0S2"  # bcrypt of a random string


# --- Microsoft Entra ID ------------------------------------------------------------------------------

ENTRA_ACTION = "sign_in.entra"
# Claims that say the e-mail address is verified. Entra sends `xms_edov` when the app registration asks for
# it (Token configuration → optional claim); generic OIDC providers send `email_verified`.
VERIFIED_EMAIL_CLAIMS = ("xms_edov", "email_verified")
NAME_LENGTH = 100  # users.first_name / last_name


@dataclass(frozen=True)
class EntraIdentity:
    """The claims Nexus360 uses, read from an ID token."""

    oid: str
    email: str
    email_verified: bool  # `xms_edov` (Entra: the domain owner verified it) or OIDC's `email_verified`
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
        _update_profile(session, user, identity, link=matched_by == "email")
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
        email_verified=any(_true(claims.get(key)) for key in VERIFIED_EMAIL_CLAIMS),
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
    if user is None:
        return None, "created"
    if not _linkable(user.azure_id):
        # The address belongs to an account already linked to another Microsoft account: replacing its
        # object id would hand that account to whoever controls this token's e-mail claim.
        _refuse(session, "email linked to another oid", user_id=user.id, oid=identity.oid)
        raise SignInRefused(
            "Your e-mail address belongs to a Nexus360 account that is linked to another Microsoft account. "
            "Ask an administrator to check your account."
        )
    if not identity.email_verified:
        _refuse(session, "email not verified", user_id=user.id, oid=identity.oid)
        raise SignInRefused(
            "Microsoft did not confirm that your e-mail address is verified, so it cannot be linked to the "
            "existing Nexus360 account with that address. Ask an administrator to check the app registration."
        )
    return user, "email"


def _linkable(azure_id: str | None) -> bool:
    """Rows not linked to Entra yet: no object id, or the placeholder of a local account."""
    return not azure_id or azure_id.startswith(LOCAL_AZURE_ID_PREFIX)


def _update_profile(session: Session, user: User, identity: EntraIdentity, *, link: bool) -> None:
    if link:  # found by a verified e-mail address and not linked yet: found by the object id from now on
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
    principals.replace_user_roles(session, user_id, known.values(), actor_id=user_id, reason="entra sign-in")


def _refuse(session: Session, reason: str, *, user_id: int | None = None, **details: str | None) -> None:
    audit.record(session, user_id=user_id, action=ENTRA_ACTION, result=audit.REFUSED,
                 details={"reason": reason, **{key: value for key, value in details.items() if value}})


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


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
