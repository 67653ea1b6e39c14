"""Reruns of one section (a fragment) and forms that start again after a save.

A view drawn in `@st.fragment` reruns alone when one of its widgets is used; after a save it must draw
again to show the saved value. `rerun_section()` reruns the fragment when it runs alone, and the page when
the fragment runs inside a full run (Streamlit refuses a fragment-scoped rerun there).

A new-record form starts empty again after a successful save: its widgets are keyed by `form_key(prefix)`,
which `clear_form(prefix)` moves on, so the next run draws new widgets with their defaults (the browser keeps
the values of a widget it already has, whatever the server forgets). An edit form is keyed by the version
of the record it edits (`version_key`), so a record changed meanwhile (a status move, another person's edit,
this save) shows its current values instead of what the widgets held.
"""

from __future__ import annotations

import hashlib
from typing import NoReturn

import streamlit as st
from pydantic import BaseModel
from streamlit.runtime.scriptrunner import get_script_run_ctx


def rerun_section() -> NoReturn:
    """Rerun the fragment this code runs in when it runs alone, else the whole page."""
    context = get_script_run_ctx()
    st.rerun(scope="fragment" if context is not None and context.fragment_ids_this_run else "app")
    raise AssertionError("st.rerun returned")  # never reached; for the type checker


def form_key(prefix: str) -> str:
    """The key of a new-record form (and the prefix of its widgets' keys) until `clear_form(prefix)`."""
    return f"{prefix}_{st.session_state.get(f'{prefix}_round', 0)}"


def clear_form(prefix: str) -> None:
    """Start the form of `form_key(prefix)` again with empty widgets on the next run."""
    st.session_state[f"{prefix}_round"] = st.session_state.get(f"{prefix}_round", 0) + 1


def version_key(prefix: str, record: BaseModel) -> str:
    """`prefix` and a short digest of the record's values: a new key (fresh widgets) whenever they change."""
    digest = hashlib.blake2b(record.model_dump_json().encode(), digest_size=4).hexdigest()
    return f"{prefix}_{digest}"
