"""Directory sync from Microsoft Graph, through the real msal client against a local stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from nexus360.auth import service as auth_service
from nexus360.auth.audit.repository import list_events
from nexus360.auth.models import AuditEvent, Role, User, UserRole
from nexus360.auth.schemas import LOCAL_AZURE_ID_PREFIX, Principal
from nexus360.auth.service import SYSTEM
from nexus360.common.errors import AuthorizationError
from nexus360.config import Settings, reset_settings
from nexus360.db import Database, session_scope
from nexus360.integrations.client import GraphClient, GraphError, GraphNotConfigured
from nexus360.integrations.flows import sync_directory
from nexus360.integrations.models import IntegrationConfig, IntegrationLog, IntegrationState
from nexus360.integrations.schemas import SyncResult
from nexus360.integrations.service import last_sync
from tests.support.graph_standin import GraphStandin, standin_user


def admin_principal(session: Session) -> Principal:
    return auth_service.get_principal_by_email(session, INGRID)


# --- helpers --------------------------------------------------------------------------------------


def mirror_of(session: Session) -> list[dict[str, Any]]:
    """The tenant as it would list today's Nexus360 users, so a sync of it alone changes nothing."""
    users = session.scalars(select(User).order_by(User.id))
    return [
        standin_user(u.azure_id, u.first_name, u.last_name, mail=u.email, enabled=u.is_active is not False)
        for u in users
    ]


def user_by_email(session: Session, email: str) -> User:
    user = session.scalars(select(User).where(User.email.ilike(email))).one()
    session.refresh(user)
    return user


def roles_of(session: Session, user_id: int) -> list[str]:
    statement = select(Role.name).join(UserRole, UserRole.role_id == Role.id).where(UserRole.user_id == user_id)
    return sorted(session.scalars(statement))


def entry(graph: GraphStandin, email: str) -> dict[str, Any]:
    return next(user for user in graph.users if user["mail"] == email)


def snapshot(session: Session) -> list[tuple]:
    session.expire_all()
    rows = session.execute(select(User.id, User.azure_id, User.email, User.first_name, User.last_name, User.is_active))
    return sorted(tuple(row) for row in rows)


LARS = "lars.eriksson@nexus360.example.com"
EMILY = "emily.chen@nexus360.example.com"
AISHA = "aisha.khan@nexus360.example.com"
JONAS = "jonas.becker@nexus360.example.com"
RAFAEL = "rafael.costa@nexus360.example.com"
INGRID = "ingrid.solberg@nexus360.example.com"
TOMASZ = "tomasz.nowak@nexus360.example.com"


@pytest.fixture
def auth_session(db) -> Session:
    return db(Database.AUTH)


@pytest.fixture
def log_session(db) -> Session:
    return db(Database.INTEGRATION)


def link_to_entra(session: Session) -> None:
    """Make the seeded (local) users look as if they came from the tenant: real Entra ids."""
    session.execute(update(User).values(azure_id=func.replace(User.azure_id, LOCAL_AZURE_ID_PREFIX, "")))
    session.flush()


@pytest.fixture
def graph(auth_session: Session) -> Iterator[GraphStandin]:
    link_to_entra(auth_session)
    with GraphStandin(users=mirror_of(auth_session)) as standin:
        yield standin


@pytest.fixture
def run(graph: GraphStandin, auth_session: Session, log_session: Session):
    def run_sync(principal: Principal | object = SYSTEM, **overrides: Any) -> SyncResult:
        values = {"entra_default_role": "sales_rep", "entra_role_map": {}, **overrides}
        settings = Settings(**graph.settings(**values))
        client = GraphClient.from_settings(settings)
        try:
            return sync_directory(auth_session, log_session, principal, client=client, settings=settings)
        finally:
            client.close()

    return run_sync


# --- users ----------------------------------------------------------------------------------------


def test_a_mirror_of_the_directory_changes_nothing(run, graph: GraphStandin) -> None:
    result = run()

    assert result.status == "success", result.errors
    assert (result.created, result.updated, result.deactivated) == (0, 0, 0)
    assert result.unchanged == len(graph.users)


def test_new_tenant_users_are_created_with_the_default_role(run, graph: GraphStandin, auth_session: Session) -> None:
    graph.users.append(standin_user("entra-grace", "Grace", "Hopper", mail="grace.hopper@nexus360.example.com"))

    result = run(entra_default_role="marketer")

    assert (result.status, result.created) == ("success", 1)
    grace = user_by_email(auth_session, "grace.hopper@nexus360.example.com")
    assert (grace.azure_id, grace.first_name, grace.last_name) == ("entra-grace", "Grace", "Hopper")
    assert grace.is_active is True
    assert roles_of(auth_session, grace.id) == ["marketer"]


def test_a_user_matched_by_entra_id_gets_new_names_and_email(run, graph: GraphStandin, auth_session: Session) -> None:
    before = user_by_email(auth_session, EMILY)
    entry(graph, EMILY).update(surname="Chen-Wright", mail="emily.wright@nexus360.example.com")

    result = run()

    assert (result.updated, result.created) == (1, 0)
    after = user_by_email(auth_session, "emily.wright@nexus360.example.com")
    assert (after.id, after.last_name, after.first_name) == (before.id, "Chen-Wright", "Emily")


def test_a_user_matched_by_email_takes_the_entra_id(run, graph: GraphStandin, auth_session: Session) -> None:
    before = user_by_email(auth_session, LARS)
    entry(graph, LARS).update(id="entra-lars", mail="Lars.Eriksson@NEXUS360.example.com")

    result = run()

    assert (result.created, result.updated, result.deactivated) == (0, 1, 0)
    after = user_by_email(auth_session, LARS)
    assert (after.id, after.azure_id, after.is_active) == (before.id, "entra-lars", True)


def test_a_user_without_email_is_an_error_line_not_a_crash(run, graph: GraphStandin, auth_session: Session) -> None:
    graph.users.insert(0, {**standin_user("entra-nomail", "Nemo", None), "mail": None, "userPrincipalName": None})
    graph.users.append(standin_user("entra-grace", "Grace", "Hopper"))

    result = run()

    assert result.status == "partial"
    assert any("Nemo" in line and "email" in line for line in result.errors)
    assert result.created == 1


def test_a_row_the_database_rejects_is_an_error_line_and_the_rest_syncs(
    run, graph: GraphStandin, auth_session: Session
) -> None:
    graph.users.insert(0, standin_user("x" * 300, "Too", "Long"))  # azure_id is VARCHAR(255)
    graph.users.append(standin_user("entra-grace", "Grace", "Hopper"))

    result = run()

    assert result.status == "partial" and result.created == 1
    assert any("too.long@contoso.example" in line and "too long" in line for line in result.errors)


def test_an_email_taken_by_another_user_is_kept_and_reported(run, graph: GraphStandin, auth_session: Session) -> None:
    entry(graph, EMILY)["mail"] = LARS.upper()

    result = run()

    assert user_by_email(auth_session, EMILY).email == EMILY
    assert any("already the address of another user" in line for line in result.errors)


# --- roles ----------------------------------------------------------------------------------------


def test_group_membership_replaces_roles_through_the_role_map(run, graph: GraphStandin, auth_session: Session) -> None:
    aisha = user_by_email(auth_session, AISHA)
    graph.groups = {aisha.azure_id: ["grp-unrelated", "grp-managers"], "entra-grace": ["grp-managers"]}
    graph.users.append(standin_user("entra-grace", "Grace", "Hopper"))

    result = run(entra_role_map={"grp-managers": "sales_manager"})

    assert (result.status, result.role_changes) == ("success", 1)
    assert roles_of(auth_session, aisha.id) == ["sales_manager"]
    assert roles_of(auth_session, user_by_email(auth_session, "grace.hopper@contoso.example").id) == ["sales_manager"]
    assert roles_of(auth_session, user_by_email(auth_session, LARS).id) == ["sales_rep"]  # no mapped group: kept


def test_nested_groups_are_followed_with_paging(run, graph: GraphStandin, auth_session: Session) -> None:
    aisha = user_by_email(auth_session, AISHA)
    graph.groups = {aisha.azure_id: ["g1", "g2", "g3", "g4", "grp-marketing"]}  # three pages of two

    run(entra_role_map={"grp-marketing": "marketer"})

    assert roles_of(auth_session, aisha.id) == ["marketer"]
    assert sum(f"/users/{aisha.azure_id}/transitiveMemberOf/" in r for r in graph.requests) == 3


# --- deactivation ---------------------------------------------------------------------------------


def test_a_disabled_account_is_deactivated_not_deleted(run, graph: GraphStandin, auth_session: Session) -> None:
    entry(graph, RAFAEL)["accountEnabled"] = False

    result = run()

    assert (result.status, result.deactivated) == ("success", 1)
    assert user_by_email(auth_session, RAFAEL).is_active is False


def test_a_user_gone_from_the_tenant_is_deactivated(run, graph: GraphStandin, auth_session: Session) -> None:
    graph.users.remove(entry(graph, JONAS))

    result = run()

    assert (result.status, result.deactivated) == ("success", 1)
    assert user_by_email(auth_session, JONAS).is_active is False


def test_a_local_only_account_missing_from_the_tenant_stays_active(
    run, graph: GraphStandin, auth_session: Session
) -> None:
    jonas = user_by_email(auth_session, JONAS)
    jonas.azure_id = LOCAL_AZURE_ID_PREFIX + jonas.azure_id
    graph.users.remove(entry(graph, JONAS))

    result = run()

    assert (result.status, result.deactivated) == ("success", 0)
    assert user_by_email(auth_session, JONAS).is_active is True


def test_a_partial_listing_deactivates_nobody(run, graph: GraphStandin, auth_session: Session) -> None:
    graph.users.remove(entry(graph, JONAS))
    graph.fail_users_page = 3

    result = run()

    assert (result.status, result.listing_complete, result.deactivated) == ("partial", False, 0)
    assert result.users_seen == 6
    assert user_by_email(auth_session, JONAS).is_active is True


def test_the_last_active_administrator_is_kept(run, graph: GraphStandin, auth_session: Session) -> None:
    graph.users.remove(entry(graph, INGRID))

    result = run()

    assert result.status == "partial"
    assert user_by_email(auth_session, INGRID).is_active is True
    assert any(INGRID in line and "last active administrator" in line for line in result.errors)


def test_the_sync_does_not_reactivate_a_deactivated_user(run, graph: GraphStandin, auth_session: Session) -> None:
    entry(graph, TOMASZ)["accountEnabled"] = True  # an admin's deactivation in Nexus360 sticks

    run()

    assert user_by_email(auth_session, TOMASZ).is_active is False


# --- paging, failures, logging --------------------------------------------------------------------


def test_user_paging_is_followed(run, graph: GraphStandin) -> None:
    result = run()

    pages = [r for r in graph.requests if r.startswith("GET /v1.0/users/delta?")]
    assert len(graph.users) > 4 and len(pages) == -(-len(graph.users) // graph.page_size)
    assert result.users_seen == len(graph.users)


def test_throttled_requests_are_retried(run, graph: GraphStandin) -> None:
    graph.throttle_next = 2

    result = run()

    assert (result.status, result.users_seen) == ("success", len(graph.users))


def test_a_wrong_client_secret_is_logged_and_changes_no_user(
    run, graph: GraphStandin, auth_session: Session, log_session: Session
) -> None:
    graph.users.append(standin_user("entra-grace", "Grace", "Hopper"))
    before = snapshot(auth_session)

    result = run(graph_client_secret="not-the-secret")

    assert result.status == "error"
    assert "AADSTS7000215" in result.errors[0]
    assert snapshot(auth_session) == before
    logged = last_sync(log_session, admin_principal(auth_session))
    assert logged is not None and logged["status"] == "error" and "AADSTS7000215" in logged["errors"][0]


def test_each_run_is_logged_with_counts_and_a_secret_reference(
    run, graph: GraphStandin, auth_session: Session, log_session: Session
) -> None:
    graph.users.append(standin_user("entra-grace", "Grace", "Hopper"))
    graph.users.remove(entry(graph, JONAS))
    logs_before = len(log_session.scalars(select(IntegrationLog.id)).all())

    run()

    assert len(log_session.scalars(select(IntegrationLog.id)).all()) == logs_before + 1
    logged = last_sync(log_session, admin_principal(auth_session))
    assert logged is not None and logged["status"] == "success" and logged["errors"] == []
    assert logged["counts"]["created"] == 1 and logged["counts"]["deactivated"] == 1
    config = log_session.scalars(select(IntegrationConfig).where(IntegrationConfig.type == "msgraph")).one()
    assert config.config["client_secret"] == "env:NEXUS360_GRAPH_CLIENT_SECRET"
    assert graph.client_secret not in json.dumps(config.config)
    audit = list_events(auth_session, action="directory.sync", limit=1)
    assert audit.iloc[0]["result"] == "allowed" and audit.iloc[0]["details"]["created"] == 1


# --- who may run it -------------------------------------------------------------------------------


def test_a_principal_without_admin_users_is_refused(run, auth_session: Session, log_session: Session) -> None:
    rep = auth_service.get_principal_by_username(auth_session, "rep")
    logs_before = len(log_session.scalars(select(IntegrationLog.id)).all())

    with pytest.raises(AuthorizationError):
        run(rep)

    assert len(log_session.scalars(select(IntegrationLog.id)).all()) == logs_before


def test_an_admin_runs_it_as_themselves(run, auth_session: Session) -> None:
    admin = auth_service.get_principal_by_username(auth_session, "admin")

    result = run(admin)

    assert result.status == "success", result.errors
    assert list_events(auth_session, action="directory.sync", limit=1).iloc[0]["user_id"] == admin.id


def test_no_principal_is_not_a_system_run(run) -> None:
    with pytest.raises(AuthorizationError):
        run(None)


# --- the client -----------------------------------------------------------------------------------


def test_the_msal_client_is_built_on_first_use_only() -> None:
    client = GraphClient(tenant_id="t", client_id="c", client_secret="s", authority_host="https://127.0.0.1:9",
                         base_url="https://127.0.0.1:9/v1.0", timeout=2)

    assert client._app is None  # constructing went nowhere near the network
    with pytest.raises(GraphError, match="127.0.0.1:9"):
        client.list_group_ids("someone")


def test_missing_settings_name_the_variables_to_set() -> None:
    with pytest.raises(GraphNotConfigured, match="NEXUS360_GRAPH_TENANT_ID.*NEXUS360_GRAPH_CLIENT_SECRET"):
        GraphClient.from_settings(Settings(graph_tenant_id=None, graph_client_id="c", graph_client_secret=None))


# --- command line ---------------------------------------------------------------------------------


def test_the_command_line_syncs_and_prints_json(seeded) -> None:
    with cli_tenant() as graph:
        graph.users.append(standin_user("entra-cli-user", "Cli", "User", mail="cli.user@nexus360.example.com"))
        result = invoke_cli(graph.env())

        assert result.exit_code == 0, result.output
        printed = json.loads(result.stdout)
        assert (printed["status"], printed["created"], printed["deactivated"]) == ("success", 1, 0)
        with session_scope(Database.AUTH) as session:
            assert session.scalars(select(User).where(User.azure_id == "entra-cli-user")).one().first_name == "Cli"


def test_the_command_line_exits_1_when_the_run_fails(seeded) -> None:
    with cli_tenant() as graph:
        result = invoke_cli({**graph.env(), "NEXUS360_GRAPH_CLIENT_SECRET": "wrong"})

        assert result.exit_code == 1
        assert json.loads(result.stdout)["status"] == "error"


def test_the_command_line_names_missing_settings() -> None:
    env = {"NEXUS360_GRAPH_TENANT_ID": "", "NEXUS360_GRAPH_CLIENT_ID": "", "NEXUS360_GRAPH_CLIENT_SECRET": ""}

    result = invoke_cli(env)

    assert result.exit_code == 1 and "NEXUS360_GRAPH_CLIENT_SECRET" in result.output


def invoke_cli(env: dict[str, str]):
    from nexus360.cli import main

    reset_settings()
    try:
        return CliRunner().invoke(main, ["auth", "sync-directory"], env=env)
    finally:
        reset_settings()


@contextmanager
def cli_tenant() -> Iterator[GraphStandin]:
    """A stand-in mirroring the committed users; afterwards the CLI's real commits are taken out again."""
    with session_scope(Database.AUTH) as session:
        tenant = mirror_of(session)
        last_audit = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
    with session_scope(Database.INTEGRATION) as session:
        config = session.scalars(select(IntegrationConfig).where(IntegrationConfig.type == "msgraph")).first()
        saved_config = dict(config.config) if config else None
        last_log = session.scalar(select(IntegrationLog.id).order_by(IntegrationLog.id.desc()).limit(1)) or 0
    try:
        with GraphStandin(users=tenant) as graph:
            yield graph
    finally:
        _remove_cli_traces(last_audit, last_log, saved_config)


def _remove_cli_traces(last_audit: int, last_log: int, saved_config: dict | None) -> None:
    with session_scope(Database.AUTH, admin=True) as session:
        created = select(User.id).where(User.azure_id == "entra-cli-user").scalar_subquery()
        session.execute(delete(UserRole).where(UserRole.user_id == created))
        session.execute(delete(User).where(User.azure_id == "entra-cli-user"))
        session.execute(delete(AuditEvent).where(AuditEvent.id > last_audit, AuditEvent.action == "directory.sync"))
    with session_scope(Database.INTEGRATION, admin=True) as session:
        session.execute(
            delete(IntegrationLog).where(IntegrationLog.id > last_log, IntegrationLog.event_type == "directory_sync")
        )
        if saved_config is not None:  # the run records the stand-in's tenant and client ids in the config row
            session.execute(
                update(IntegrationConfig).where(IntegrationConfig.type == "msgraph").values(config=saved_config)
            )


# --- Graph's delta query ----------------------------------------------------------------------------


def test_a_second_run_with_no_changes_transfers_nothing(run, graph: GraphStandin) -> None:
    first = run()
    graph.requests.clear()

    second = run()

    assert (first.mode, second.mode) == ("full", "changes")
    assert second.users_seen == 0 and (second.created, second.updated, second.deactivated) == (0, 0, 0)
    graph_calls = [r for r in graph.requests if "/v1.0/" in r]
    assert len(graph_calls) == 1 and "deltatoken=" in graph_calls[0]  # one empty page, no per-user requests


def test_a_run_of_changes_applies_new_changed_and_removed_users(run, graph: GraphStandin,
                                                                auth_session: Session) -> None:
    run()
    graph.users.append(standin_user("entra-grace", "Grace", "Hopper", mail="grace.hopper@nexus360.example.com"))
    entry(graph, EMILY).update(surname="Chen-Wright")
    graph.users.remove(entry(graph, JONAS))

    result = run()

    assert result.mode == "changes" and result.users_seen == 2
    assert (result.created, result.updated, result.deactivated) == (1, 1, 1)
    assert user_by_email(auth_session, EMILY).last_name == "Chen-Wright"
    assert user_by_email(auth_session, JONAS).is_active is False


def test_an_expired_delta_link_falls_back_to_a_full_listing(run, graph: GraphStandin) -> None:
    run()
    graph.forget_delta_tokens()

    result = run()

    assert result.status == "success" and result.mode == "full" and result.users_seen == len(graph.users)


def test_a_full_listing_is_made_again_after_the_connectors_interval(run, graph: GraphStandin,
                                                                   log_session: Session) -> None:
    run()
    log_session.execute(update(IntegrationState).values(cursor_at=func.now() - text("interval '2 days'")))

    assert run().mode == "full"
