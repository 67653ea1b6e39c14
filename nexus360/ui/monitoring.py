"""What the operator sees of a page run, and what a person sees when it fails.

- `page_run()` (Home.py wraps the chosen page in it) puts the user id and the page on every log line of the
  run, logs the run's duration, and turns an error nobody caught into one plain sentence with an error id.
- `show_failure()` is that sentence: a database that cannot be reached or took too long, or anything
  unexpected, shows what happened in words people use ("The marketing data is unavailable right now; try again
  in a minute.") and an id; the details (database, host, the server's message, the traceback) go to the log
  under the same id, never to the page.
- `on_script_error` is the same for the server entry (`st.App(..., on_script_error=...)`): errors raised
  outside the page (a widget's callback, the router) get the sentence and the id too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from nexus360.common import logs
from nexus360.common.errors import DatabaseTimeout, DatabaseUnavailable, unexpected_message

logs.configure()
log = logs.get_logger("nexus360.ui")


def failure_message(error: BaseException, database: str | None = None) -> str:
    """The sentence for `error`, without the id: no host, socket path, server message or traceback."""
    if isinstance(error, DatabaseUnavailable):
        return error.user_message
    return unexpected_message(database)


def log_failure(error: BaseException, *, database: str | None = None) -> str:
    """Log `error` with its details under a new error id, and return the id."""
    error_id = logs.new_error_id()
    if isinstance(error, DatabaseUnavailable):  # expected in operation: the operator's sentence, no traceback
        kind = "timeout" if isinstance(error, DatabaseTimeout) else "unavailable"
        logs.event(log, f"database {kind}: {error}", level=logging.WARNING, error_id=error_id,
                   database=error.database, error_type=type(error).__name__, outcome=kind)
    else:
        logs.event(log, f"unexpected error: {type(error).__name__}", level=logging.ERROR, exc_info=error,
                   error_id=error_id, database=database, error_type=type(error).__name__, outcome="error")
    return error_id


def show_failure(error: BaseException, *, database: str | None = None, before: str = "") -> str:
    """Log `error` under a new id and show its sentence and the id where the page is; returns the id."""
    error_id = log_failure(error, database=database)
    sentence = failure_message(error, database)
    if before:
        sentence = f"{before} {sentence[0].lower()}{sentence[1:]}"
    icon = ":material/cloud_off:" if isinstance(error, DatabaseUnavailable) else ":material/error:"
    st.error(f"{sentence} (error id {error_id})", icon=icon)
    return error_id


@contextmanager
def page_run(url_path: str, user_id: int | None) -> Iterator[None]:
    """Run a page with the user and page on every log line, its duration logged, and failures shown with an id."""
    started = time.perf_counter()
    outcome = "ok"
    with logs.context(user_id=user_id, page=url_path):
        try:
            yield
        except Exception as error:  # noqa: BLE001 - the person sees a sentence and an id; the log has the rest
            outcome = "error"
            show_failure(error)
        finally:
            logs.event(log, "page run", action="page.run", outcome=outcome,
                       duration_ms=round((time.perf_counter() - started) * 1000, 1))


def on_script_error(error: Exception) -> bool:
    """For `st.App(..., on_script_error=on_script_error)`: the sentence and an id instead of Streamlit's
    own error box (which `client.showErrorDetails = "none"` empties); True tells Streamlit it is shown."""
    try:
        show_failure(error)
    except Exception:  # noqa: BLE001 - drawing failed (no script context): at least the log has it
        log_failure(error)
        return False
    return True
