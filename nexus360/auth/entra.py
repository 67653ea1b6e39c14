"""Sign-in with Microsoft Entra ID: turn a validated ID token's claims into a Nexus360 principal.

Streamlit (`st.login`, Authlib underneath) runs the OpenID Connect flow and checks the token's
signature, issuer, audience, nonce and expiry; this module only decides who the person is here:
the user with that object id (`oid`), else the user with that email address (then linked to the
oid), else a new user with the default role. App roles and groups mapped in the settings replace
the user's roles on every sign-in, so Entra stays the source of truth for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth import audit, repository
from nexus360.auth import service as auth_service
from nexus360.auth.models import User
from nexus360.auth.schemas import Principal
from nexus360.config import Settings

ACTION = "sign_in.entra"
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
        raise auth_service.SignInRefused("This account is deactivated. Ask an administrator to reactivate it.")
    if user is None:
        user = repository.create_user(
            session, azure_id=identity.oid, email=identity.email,
            first_name=identity.first_name, last_name=identity.last_name,
        )
        _assign_roles(session, user.id, [settings.entra_default_role])
    else:
        _update_profile(session, user, identity)
    mapped = mapped_roles(identity.claimed_roles, settings.entra_role_map)
    if mapped:
        _assign_roles(session, user.id, mapped)
    principal = auth_service.get_principal(session, user.id)
    audit.record(session, user_id=user.id, action=ACTION, result=audit.ALLOWED,
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
        raise auth_service.SignInRefused(
            "Microsoft did not send your account's object id (oid), so you cannot be signed in. "
            "Ask an administrator to check the app registration."
        )
    if not email:
        _refuse(session, "no email claim", oid=oid)
        raise auth_service.SignInRefused(
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
    user = repository.get_user_by_email(session, identity.email)
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
    known = repository.get_role_ids(session, names)
    if not known:  # a misconfigured map or default role must not strip a user of every role
        return
    if set(repository.list_role_names(session, user_id)) != set(known):
        repository.replace_user_roles(session, user_id, known.values())


def _refuse(session: Session, reason: str, *, user_id: int | None = None, **details: str | None) -> None:
    audit.record(session, user_id=user_id, action=ACTION, result=audit.REFUSED,
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
