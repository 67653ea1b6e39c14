"""Calling services from pages: one transaction per call, errors shown as friendly messages."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.db import Database, session_scope
from nexus360.errors import AuthorizationError, DatabaseUnavailable, Nexus360Error

T = TypeVar("T")

CACHE_TTL_SECONDS = 60


def current_principal() -> Principal:
    principal = st.session_state.get("principal")
    if principal is None:  # pages only run behind the sign-in gate of Home.py
        st.stop()
    return principal


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Stop the page with a clear message for errors meant for the user, not a traceback."""
    try:
        yield
    except AuthorizationError as error:
        st.warning(f"You do not have access to this. {error}", icon=":material/lock:")
        st.stop()
    except DatabaseUnavailable as error:
        st.error(f"{error} Please try again in a moment.", icon=":material/cloud_off:")
        st.stop()
    except Nexus360Error as error:
        st.error(str(error))
        st.stop()


def call(database: Database, service: Callable[..., T], /, **kwargs: Any) -> T:
    """Run `service(session, principal, **kwargs)` in its own transaction as the signed-in user."""
    principal = current_principal()
    with friendly_errors(), session_scope(database, user_id=principal.id) as session:
        return service(session, principal, **kwargs)


def cached(database: Database, service: Callable[..., T], /, **kwargs: Any) -> T:
    """Like `call()`, through st.cache_data keyed by service, arguments and the user's scope."""
    principal = current_principal()
    with friendly_errors():
        return _cached_call(
            database, service.__module__, service.__qualname__, principal, tuple(sorted(kwargs.items()))
        )


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached_call(database: Database, module: str, name: str, principal: Principal, items: tuple) -> Any:
    service = getattr(importlib.import_module(module), name)
    with session_scope(database, user_id=principal.id) as session:
        return service(session, principal, **dict(items))
