"""Who is who for other domains, and user and role administration: changes apply, are audited, and cannot
lock everyone out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nexus360.auth import service as auth_service
from nexus360.auth.models import AuditEvent, User
from nexus360.auth.signin import service as signin
from nexus360.auth.users import service as users
from nexus360.common.errors import ValidationError
from nexus360.db import Database

ADMIN_EMAIL = "ingrid.solberg@nexus360.example.com"
REP_EMAIL = "emily.chen@nexus360.example.com"


@pytest.fixture
def auth(db):
    return db(Database.AUTH)


@pytest.fixture
def boss(auth):
    return auth_service.get_principal_by_email(auth, ADMIN_EMAIL)


def user_id(auth, email: str) -> int:
    return auth.scalars(select(User.id).where(User.email == email)).one()


def last_audit(auth) -> AuditEvent:
    return auth.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()


def test_holders_of_a_permission_are_the_active_users_of_roles_that_grant_it(auth, boss) -> None:
    managers = users.list_permission_holders(auth, boss, permission="commissions.manage")
    roles = users.get_role_names(auth, boss, user_ids=managers)
    assert boss.id in managers and all({"admin", "sales_manager"} & set(roles[manager]) for manager in managers)
    rep = user_id(auth, REP_EMAIL)
    assert rep not in managers and users.get_role_names(auth, boss, user_ids=[rep]) == {rep: ("sales_rep",)}
    other = next(manager for manager in managers if manager != boss.id)
    users.set_user_active(auth, boss, user_id=other, active=False)
    assert other not in users.list_permission_holders(auth, boss, permission="commissions.manage")


def test_people_unpack_as_id_name_email_and_status(auth, boss) -> None:
    [person] = [person for person in users.list_people(auth, boss, roles=["sales_rep"]) if person.email == REP_EMAIL]
    user, name, email, active = person
    assert (user, name, email, active) == (user_id(auth, REP_EMAIL), "Emily Chen", REP_EMAIL, True)


def test_deactivation_is_a_soft_delete_and_is_audited(auth, boss) -> None:
    rep = user_id(auth, REP_EMAIL)
    users.set_user_active(auth, boss, user_id=rep, active=False)
    assert auth.get(User, rep).is_active is False
    event = last_audit(auth)
    assert (event.action, event.object_id, event.user_id) == ("admin.deactivate", str(rep), boss.id)


def test_a_deactivated_user_cannot_sign_in(auth, boss) -> None:
    from datetime import UTC, datetime

    users.set_user_active(auth, boss, user_id=user_id(auth, "elena.vasquez@nexus360.example.com"), active=False)
    with pytest.raises(signin.SignInRefused, match="deactivated"):
        signin.authenticate_local(auth, "manager", "nexus360-demo", now=datetime.now(UTC))


def test_an_admin_cannot_deactivate_themselves(auth, boss) -> None:
    with pytest.raises(ValidationError, match="your own account"):
        users.set_user_active(auth, boss, user_id=boss.id, active=False)


def test_roles_are_replaced_and_the_change_is_audited(auth, boss) -> None:
    rep = user_id(auth, REP_EMAIL)
    users.set_user_roles(auth, boss, user_id=rep, roles=["sales_manager", "marketer"])
    assert auth_service.get_principal(auth, rep).roles == ("sales_manager", "marketer")
    assert last_audit(auth).details == {"before": ["sales_rep"], "after": ["marketer", "sales_manager"]}


def test_unknown_role_is_refused_and_nothing_changes(auth, boss) -> None:
    rep = user_id(auth, REP_EMAIL)
    with pytest.raises(ValidationError, match="Unknown role"):
        users.set_user_roles(auth, boss, user_id=rep, roles=["sales_rep", "overlord"])
    assert auth_service.get_principal(auth, rep).roles == ("sales_rep",)


def test_the_last_administrator_keeps_the_role(auth, boss) -> None:
    with pytest.raises(ValidationError, match="own administrator role"):
        users.set_user_roles(auth, boss, user_id=boss.id, roles=["sales_rep"])


def test_matrix_edit_grants_and_revokes(auth, boss) -> None:
    changed = users.set_permission_matrix(
        auth, boss, matrix={"marketer": {"forecasts.read": True}, "sales_rep": {"chat.use": False}}
    )
    matrix = users.get_permission_matrix(auth, boss)
    assert changed == 2
    assert bool(matrix.at["forecasts.read", "marketer"]) is True
    assert bool(matrix.at["chat.use", "sales_rep"]) is False


def test_matrix_cannot_take_user_management_from_admins(auth, boss) -> None:
    with pytest.raises(ValidationError, match="admin role must keep"):
        users.set_permission_matrix(auth, boss, matrix={"admin": {"admin.users": False}})
    assert bool(users.get_permission_matrix(auth, boss).at["admin.users", "admin"]) is True


def test_admin_sets_a_local_password_that_then_works(auth, boss) -> None:
    from datetime import UTC, datetime

    rep = user_id(auth, REP_EMAIL)
    signin.set_local_password(auth, boss, user_id=rep, username="emily", password="a-long-secret-1")
    principal = signin.authenticate_local(auth, "emily", "a-long-secret-1", now=datetime.now(UTC))
    assert principal.id == rep


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("emily", "short", "at least 10"),
        ("manager", "a-long-secret-1", "already taken"),
        ("", "a-long-secret-1", "username"),
    ],
)
def test_bad_password_input_is_refused_clearly(auth, boss, username, password, message) -> None:
    with pytest.raises(ValidationError, match=message):
        signin.set_local_password(auth, boss, user_id=user_id(auth, REP_EMAIL), username=username,
                                        password=password)


def test_a_user_cannot_be_left_without_a_role(auth, boss) -> None:
    rep = user_id(auth, REP_EMAIL)
    with pytest.raises(ValidationError, match="Roles: choose at least one"):
        users.set_user_roles(auth, boss, user_id=rep, roles=[])
    assert auth_service.get_principal(auth, rep).roles == ("sales_rep",)


def test_permissions_are_listed_with_what_they_allow(auth, boss) -> None:
    described = users.list_permissions(auth, boss)
    assert list(described)[:2] == ["crm.read", "crm.write"]
    assert described["commissions.read_all"] == "Read every rep's commission figures"
    assert all(text and "." not in text.split()[0] for text in described.values())


def test_the_audit_log_reads_as_names_and_words(auth, boss) -> None:
    rep = user_id(auth, REP_EMAIL)
    users.set_user_roles(auth, boss, user_id=rep, roles=["sales_manager"])
    users.set_permission_matrix(auth, boss, matrix={"marketer": {"forecasts.read": True}})
    users.set_user_active(auth, boss, user_id=rep, active=False)
    events = users.list_audit_events(auth, boss, category="User administration")
    assert list(events.columns) == ["Time (UTC)", "Who", "Action", "Object", "Result", "Details"]
    latest = events.head(3).to_dict("records")
    assert [(row["Who"], row["Action"], row["Object"], row["Result"]) for row in latest] == [
        ("Ingrid Solberg", "Deactivated a user", "User Emily Chen", "Allowed"),
        ("Ingrid Solberg", "Granted a permission", "Role Marketer", "Allowed"),
        ("Ingrid Solberg", "Changed a user's roles", "User Emily Chen", "Allowed"),
    ]
    assert [row["Details"] for row in latest] == ["–", "Permission: Read forecasts", "Roles: Sales rep → Sales manager"]
    text = events.to_csv()
    assert "{" not in text and "None" not in text and f"{rep}" not in set(events["Object"])
    with pytest.raises(ValidationError, match="Kind of event must be one of"):
        users.list_audit_events(auth, boss, category="Everything")


def test_audit_actions_and_refusals_are_described_in_words() -> None:
    assert users.describe_action("refused:commissions.read_all") == "Refused: Read every rep's commission figures"
    assert users.describe_action("refused:commissions.read_own or commissions.read_all") == (
        "Refused: Read one's own commission statements or read every rep's commission figures")
    assert users.describe_action("import.leads") == "Imported leads"
    assert users.describe_action("sign_in.entra") == "Signed in with Microsoft"
    assert users.describe_action("something.new_here") == "Something new here"
