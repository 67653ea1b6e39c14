"""Entra ID sign-in: who a token's claims become in Nexus360 (matching, linking, JIT users, roles)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from nexus360.auth import service as auth_service
from nexus360.auth.models import AuditEvent, User
from nexus360.auth.signin import service as signin
from nexus360.config import Settings
from nexus360.db import Database

REP_EMAIL = "emily.chen@nexus360.example.com"  # the seeded `rep` demo user


@pytest.fixture
def auth(db) -> Session:
    return db(Database.AUTH)


def claims(**overrides: Any) -> dict[str, Any]:
    base = {
        "oid": str(uuid.uuid4()),
        "email": "new.person@nexus360.example.com",
        "preferred_username": "new.person@nexus360.example.com",
        "given_name": "New",
        "family_name": "Person",
    }
    return {key: value for key, value in {**base, **overrides}.items() if value is not None}


def settings(**values: Any) -> Settings:
    return Settings(**values)


def user_by_email(session: Session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def last_event(session: Session) -> AuditEvent:
    statement = select(AuditEvent).where(AuditEvent.action == signin.ENTRA_ACTION).order_by(AuditEvent.id.desc())
    return session.scalars(statement).first()


def test_a_known_object_id_signs_in_that_user(auth: Session) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    principal = signin.sign_in_from_claims(
        auth, claims(oid=rep.azure_id, email="someone.else@example.com"), settings=settings()
    )
    assert principal.id == rep.id
    assert principal.roles == ("sales_rep",)
    assert last_event(auth).details["matched_by"] == "oid"


def test_an_unknown_object_id_matches_the_email_case_insensitively_and_links_the_oid(auth: Session) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    oid = str(uuid.uuid4())
    principal = signin.sign_in_from_claims(auth, claims(oid=oid, email=REP_EMAIL.upper(), xms_edov=True),
                                           settings=settings())
    assert principal.id == rep.id
    auth.refresh(rep)
    assert rep.azure_id == oid
    assert last_event(auth).details["matched_by"] == "email"


def test_preferred_username_serves_as_the_email_when_the_email_claim_is_missing(auth: Session) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    principal = signin.sign_in_from_claims(
        auth, claims(email=None, preferred_username=REP_EMAIL, email_verified=True), settings=settings()
    )
    assert principal.id == rep.id


def test_an_unknown_person_is_created_with_the_default_role(auth: Session) -> None:
    token = claims()
    principal = signin.sign_in_from_claims(auth, token, settings=settings())
    user = user_by_email(auth, "new.person@nexus360.example.com")
    assert principal.id == user.id
    assert user.azure_id == token["oid"]
    assert (user.first_name, user.last_name, user.is_active) == ("New", "Person", True)
    assert principal.roles == ("sales_rep",)
    assert principal.has("crm.write")
    assert last_event(auth).details["matched_by"] == "created"


def test_the_default_role_for_new_users_comes_from_the_settings(auth: Session) -> None:
    principal = signin.sign_in_from_claims(auth, claims(), settings=settings(entra_default_role="marketer"))
    assert principal.roles == ("marketer",)


def test_names_are_kept_up_to_date_from_the_token(auth: Session) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    principal = signin.sign_in_from_claims(
        auth, claims(oid=rep.azure_id, given_name="Em", family_name="Chen-Larsen"), settings=settings()
    )
    assert (principal.first_name, principal.last_name) == ("Em", "Chen-Larsen")
    auth.refresh(rep)
    assert (rep.first_name, rep.last_name) == ("Em", "Chen-Larsen")


def test_an_app_role_in_the_roles_claim_replaces_the_users_roles(auth: Session) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    role_map = {"Nexus360.Manager": "sales_manager", "Nexus360.Admin": "admin"}
    principal = signin.sign_in_from_claims(
        auth, claims(oid=rep.azure_id, roles=["Nexus360.Manager"]), settings=settings(entra_role_map=role_map)
    )
    assert principal.roles == ("sales_manager",)
    assert principal.has("commissions.read_all")
    assert auth_service.get_principal(auth, rep.id).roles == ("sales_manager",)


def test_a_group_object_id_in_the_groups_claim_maps_to_roles_too(auth: Session) -> None:
    group = str(uuid.uuid4())
    role_map = {group: "marketer", "Nexus360.Admin": "admin"}
    principal = signin.sign_in_from_claims(
        auth, claims(groups=[group, str(uuid.uuid4())], roles=["Nexus360.Admin"]),
        settings=settings(entra_role_map=role_map),
    )
    assert principal.roles == ("admin", "marketer")


def test_claims_that_map_to_nothing_leave_the_users_roles_alone(auth: Session) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    principal = signin.sign_in_from_claims(
        auth, claims(oid=rep.azure_id, roles=["Something.Else"]),
        settings=settings(entra_role_map={"Nexus360.Admin": "admin"}),
    )
    assert principal.roles == ("sales_rep",)


def test_a_deactivated_user_is_refused_and_nothing_changes(auth: Session) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    rep.is_active = False
    auth.flush()
    before = (rep.azure_id, rep.first_name, rep.last_name)
    with pytest.raises(signin.SignInRefused, match="This account is deactivated"):
        signin.sign_in_from_claims(
            auth, claims(email=REP_EMAIL, xms_edov=True, given_name="Changed", roles=["Nexus360.Admin"]),
            settings=settings(entra_role_map={"Nexus360.Admin": "admin"}),
        )
    auth.refresh(rep)
    assert (rep.azure_id, rep.first_name, rep.last_name) == before
    assert auth_service.get_principal(auth, rep.id).roles == ("sales_rep",)
    event = last_event(auth)
    assert (event.user_id, event.result, event.details["reason"]) == (rep.id, "refused", "inactive")


def test_a_token_without_an_object_id_is_refused(auth: Session) -> None:
    with pytest.raises(signin.SignInRefused, match=r"object id \(oid\)"):
        signin.sign_in_from_claims(auth, claims(oid=None), settings=settings())
    assert last_event(auth).details["reason"] == "no oid claim"


def test_a_token_without_any_email_address_is_refused_and_creates_no_user(auth: Session) -> None:
    token = claims(email=None, preferred_username="not-an-address")
    with pytest.raises(signin.SignInRefused, match="did not send an email address"):
        signin.sign_in_from_claims(auth, token, settings=settings())
    assert auth.scalars(select(User).where(User.azure_id == token["oid"])).first() is None
    assert last_event(auth).result == "refused"


def test_every_successful_sign_in_is_audited(auth: Session) -> None:
    principal = signin.sign_in_from_claims(auth, claims(), settings=settings())
    event = last_event(auth)
    assert (event.user_id, event.result) == (principal.id, "allowed")
    assert event.details["roles"] == ["sales_rep"]


# --- linking by e-mail never takes over an account ("nOAuth") ---------------------------------------------


def test_an_email_already_linked_to_another_object_id_is_refused_and_nothing_changes(auth: Session) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    rep.azure_id = str(uuid.uuid4())  # linked to Entra already
    auth.flush()
    with pytest.raises(signin.SignInRefused, match="linked to another Microsoft account"):
        signin.sign_in_from_claims(auth, claims(email=REP_EMAIL, xms_edov=True), settings=settings())
    before = rep.azure_id
    auth.refresh(rep)
    assert rep.azure_id == before
    assert last_event(auth).details["reason"] == "email linked to another oid"


def test_an_unverified_email_is_not_linked_to_a_local_account(auth: Session) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    before = rep.azure_id
    token = claims(email=REP_EMAIL, xms_edov=False)
    with pytest.raises(signin.SignInRefused, match="verified"):
        signin.sign_in_from_claims(auth, token, settings=settings())
    auth.refresh(rep)
    assert rep.azure_id == before
    assert last_event(auth).details["reason"] == "email not verified"


@pytest.mark.parametrize("flag", [{"xms_edov": True}, {"xms_edov": "true"}, {"email_verified": True}])
def test_a_verified_email_links_a_local_account_once(auth: Session, flag) -> None:
    rep = user_by_email(auth, REP_EMAIL)
    oid = str(uuid.uuid4())
    assert signin.sign_in_from_claims(auth, claims(oid=oid, email=REP_EMAIL, **flag), settings=settings()).id == rep.id
    with pytest.raises(signin.SignInRefused, match="linked to another Microsoft account"):
        signin.sign_in_from_claims(auth, claims(email=REP_EMAIL, **flag), settings=settings())
    auth.refresh(rep)
    assert rep.azure_id == oid
