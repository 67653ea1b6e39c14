"""Reruns of one section (a fragment) and forms that start again after a save.

A view drawn in `@st.fragment` reruns alone when one of its widgets is used; after a save it must draw
again to show the saved value. `rerun_section()` reruns the fragment when it runs alone, and the page when
the fragment runs inside a full run (Streamlit refuses a fragment-scoped rerun there).

A form is cleared after a successful save by forgetting its widgets' values (`forget_widgets`), and an edit
form is keyed by the version of the record it edits (`version_key`), so a record changed meanwhile (a status
move, another person's edit) shows its new values instead of what the widgets held.
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


def forget_widgets(prefix: str) -> None:
    """Drop the values of the widgets whose key starts with `prefix`: they show their defaults again."""
    for key in [key for key in st.session_state if isinstance(key, str) and key.startswith(prefix)]:
        del st.session_state[key]


def version_key(prefix: str, record: BaseModel) -> str:
    """`prefix` and a short digest of the record's values: a new key (fresh widgets) whenever they change."""
    digest = hashlib.blake2b(record.model_dump_json().encode(), digest_size=4).hexdigest()
    return f"{prefix}_{digest}"
