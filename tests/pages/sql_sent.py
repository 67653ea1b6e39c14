"""What a page sends to the databases: the text of every SQL statement of a run, with caches empty or warm."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from nexus360.ui.warming import WARM_THREAD


@contextmanager
def sql_sent(*, warm_ups: bool = False) -> Iterator[list[str]]:
    """The text of every SQL statement any engine sends while open (but for background warm-ups, unless asked)."""
    texts: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if warm_ups or not threading.current_thread().name.startswith(WARM_THREAD):  # the warm-ups are no rerun's
            texts.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        yield texts
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


def cold_run(app: AppTest) -> list[str]:
    """Rerun with every cache emptied, so each query the run needs is sent: the statements it sent."""
    st.cache_data.clear()
    with sql_sent() as texts:
        app.run()
    assert not app.exception, app.exception
    return texts


def warm_run(app: AppTest) -> list[str]:
    """Rerun twice; the statements of the second (what a rerun sends once its reads are cached)."""
    app.run()
    with sql_sent() as texts:
        app.run()
    assert not app.exception, app.exception
    return texts
