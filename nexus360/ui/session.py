"""Calling services from pages: one transaction per call, errors shown as friendly messages."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st

from nexus360.auth.audit import service as audit
from nexus360.auth.schemas import Principal
from nexus360.common import logs
from nexus360.common.errors import AuthorizationError, DatabaseUnavailable, Nexus360Error
from nexus360.db import Database, data_generation, session_scope
from nexus360.ui.formatting import literal
from nexus360.ui.monitoring import show_failure

log = logs.get_logger("nexus360.ui")

T = TypeVar("T")

CACHE_TTL_SECONDS = 60
SHARED_TTL_SECONDS = 600  # cached(..., shared=True) and cached_flow: aggregates that cost seconds at scale


def current_principal() -> Principal:
    principal = st.session_state.get("principal")
    if principal is None:  # pages only run behind the sign-in gate of Home.py
        st.stop()
    return principal


@contextmanager
def friendly_errors(database: Database | None = None) -> Iterator[None]:
    """Stop the page with a clear message for errors meant for the user, not a traceback.

    A database that cannot be reached (or took too long) and anything unexpected show one plain sentence
    with an error id; the details go to the log under that id (nexus360.ui.monitoring).
    """
    try:
        yield
    except AuthorizationError as error:
        record_refusal(error.permission)
        st.warning(f"You do not have access to this. {literal(error)}", icon=":material/lock:")
        st.stop()
    except DatabaseUnavailable as error:
        show_failure(error)
        st.stop()
    except Nexus360Error as error:
        st.error(literal(error))  # messages quote what was typed: shown as typed, never as Markdown
        st.stop()
    except Exception as error:  # noqa: BLE001 - a sentence and an id for the person, the details in the log
        show_failure(error, database=None if database is None else Database(database).value)
        st.stop()


def record_refusal(permission: str, *, object_type: str | None = None, object_id: str | None = None) -> None:
    """Write a refusal to the audit log (its own transaction: the refused one is rolled back) and the log."""
    principal = st.session_state.get("principal")
    logs.event(log, "refused", level=logging.WARNING, outcome="refused", permission=permission,
               user_id=principal.id if principal else None)
    try:
        with session_scope(Database.AUTH, actor=principal) as session:
            audit.record(
                session,
                user_id=principal.id if principal else None,
                action=f"refused:{permission}",
                result=audit.REFUSED,
                object_type=object_type,
                object_id=object_id,
            )
    except DatabaseUnavailable:
        pass  # the refusal itself still stands; the message below says so


def call(database: Database, service: Callable[..., T], /, *, with_auth: bool = False, **kwargs: Any) -> T:
    """Run `service(session, principal, **kwargs)` in its own transaction as the signed-in user.

    `with_auth` also passes an auth-database session as `auth_session`, for services that check a
    cross-database reference to a user (a deal's owner); its transaction is read-only in effect.
    """
    principal = current_principal()
    with friendly_errors(database), session_scope(database, actor=principal) as session:
        if not with_auth:
            return service(session, principal, **kwargs)
        with session_scope(Database.AUTH, actor=principal) as auth_session:
            return service(session, principal, auth_session=auth_session, **kwargs)


class _Failed:
    def __repr__(self) -> str:
        return "FAILED"


FAILED: Any = _Failed()


def submit(database: Database, service: Callable[..., T], /, *, with_auth: bool = False, **kwargs: Any) -> T:
    """For form submissions: like `call()`, but a refusal or invalid input is shown where the form
    is and FAILED is returned, so the rest of the page (and what the person typed) stays."""
    principal = current_principal()

    def run() -> T:
        with session_scope(database, actor=principal) as session:
            if not with_auth:
                return service(session, principal, **kwargs)
            with session_scope(Database.AUTH, actor=principal) as auth_session:
                return service(session, principal, auth_session=auth_session, **kwargs)

    return _shown_in_place(run, service, database=Database(database).value, before="Nothing was saved:")


def submit_flow(flow: Callable[..., T], /, **kwargs: Any) -> T:
    """Like `submit()`, for a workflow that opens its own sessions (a `flows.py` function spanning databases)."""
    principal = current_principal()
    return _shown_in_place(lambda: flow(principal, **kwargs), flow)


def _shown_in_place(run: Callable[[], T], action: Callable[..., Any], *, database: str | None = None,
                    before: str = "") -> T:
    """Run a submission with its name on the log lines it writes (each committed write logs one line, see
    nexus360.db.session_scope); refusals and invalid input are shown where the form is, failures with an id."""
    with logs.context(action=f"{action.__module__}.{action.__qualname__}"):
        try:
            return run()
        except AuthorizationError as error:
            record_refusal(error.permission)
            st.warning(f"You may not do this. {literal(error)}", icon=":material/lock:")
        except DatabaseUnavailable as error:
            show_failure(error, before=before)
        except Nexus360Error as error:
            # What was typed can be in the message: the log says only that input was refused, and of what kind.
            logs.event(log, "input refused", outcome="invalid", error_type=type(error).__name__)
            st.error(literal(error), icon=":material/error:")  # shown as typed, never as Markdown
        except Exception as error:  # noqa: BLE001 - a sentence and an id for the person, the details in the log
            show_failure(error, database=database, before=before)
    return FAILED


def cached(database: Database, service: Callable[..., T], /, *, with_auth: bool = False, shared: bool = False,
           **kwargs: Any) -> T:
    """Like `call()`, through st.cache_data keyed by service, arguments and the user's scope.

    The key also holds the database's data generation (and the auth database's, `with_auth`), so any write
    this process commits to it (through any path) makes the next read fresh: a save shows the saved value
    at once. A read is cached for the user (the key holds who they are) unless `shared`: figures that are the
    same for everyone with the same permissions (the dashboard's aggregates, for filters the page passes
    explicitly) are keyed by the permissions alone, so one person's cold read serves everyone, and kept
    SHARED_TTL_SECONDS (other processes' writes show within that time; this process's at once).
    """
    principal = current_principal()
    with friendly_errors(database):
        return cached_for(principal, database, service, with_auth=with_auth, shared=shared, **kwargs)


def cached_for(principal: Principal, database: Database, service: Callable[..., T], /, *, with_auth: bool = False,
               shared: bool = False, **kwargs: Any) -> T:
    """`cached()` for a principal given rather than the signed-in user's, errors raised: the same cache entry, so a
    value computed off the rerun path (nexus360.ui.warming) is the one the page then reads."""
    generation = (data_generation(database), data_generation(Database.AUTH) if with_auth else None)
    items = tuple(sorted(kwargs.items()))
    if shared:
        return _cached_shared(database, service.__module__, service.__qualname__, principal.permissions, items,
                              generation, with_auth, _principal=principal)
    return _cached_call(database, service.__module__, service.__qualname__, principal, items, generation, with_auth)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=10_000)
def _cached_call(database: Database, module: str, name: str, principal: Principal, items: tuple,
                 generation: tuple, with_auth: bool) -> Any:
    return _run(database, module, name, principal, items, with_auth)


@st.cache_data(ttl=SHARED_TTL_SECONDS, show_spinner=False, max_entries=10_000)
def _cached_shared(database: Database, module: str, name: str, permissions: frozenset[str], items: tuple,
                   generation: tuple, with_auth: bool, *, _principal: Principal) -> Any:
    # `_principal` is not part of the key (st.cache_data skips arguments named with a leading underscore):
    # whoever asks first runs the service; everyone with the same permissions reads the result.
    return _run(database, module, name, _principal, items, with_auth)


def _run(database: Database, module: str, name: str, principal: Principal, items: tuple, with_auth: bool) -> Any:
    service = getattr(importlib.import_module(module), name)
    with session_scope(database, actor=principal) as session:
        if not with_auth:
            return service(session, principal, **dict(items))
        with session_scope(Database.AUTH, actor=principal) as auth_session:
            return service(session, principal, auth_session=auth_session, **dict(items))


def cached_flow(flow: Callable[..., T], /, *, databases: tuple[Database, ...] = (), **kwargs: Any) -> T:
    """Like `cached()`, for a read that opens its own sessions (a `flows.py` function taking the principal
    first): `flow(principal, **kwargs)`, keyed by the flow, its arguments (keep them hashable: codes and ids),
    the user and the data generations of the `databases` it reads (a write to one of them makes the next read
    fresh; without them only the TTL does); kept SHARED_TTL_SECONDS (reports that cost seconds at scale)."""
    principal = current_principal()
    generation = tuple(data_generation(database) for database in databases)
    with friendly_errors():
        return _cached_flow(flow.__module__, flow.__qualname__, principal, tuple(sorted(kwargs.items())), generation)


@st.cache_data(ttl=SHARED_TTL_SECONDS, show_spinner=False, max_entries=1_000)
def _cached_flow(module: str, name: str, principal: Principal, items: tuple, generation: tuple) -> Any:
    return getattr(importlib.import_module(module), name)(principal, **dict(items))
