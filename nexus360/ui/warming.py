"""Warm shared caches off the rerun path: compute the choices a person most likely makes next before they make them.

A dashboard's figures for a filter value nobody chose yet cost a few hundred ms at a million deals (aggregates over
the period's deals); once cached, any rerun reads them at once. So when a view is shown, it hands `warm()` the
cached calls of its next most likely choices (the other periods, company-wide), and a daemon thread of this
Streamlit process (the caches are per process) makes them after the person's rerun has finished, never inside it.

Each warm-up has a key (the view, who it is for, the data generations it reads and the day), and runs once per key:
a write this process commits bumps a generation, so the next view warms the new figures (the old ones are never
served: every cache key holds the generations). A rerun that asks for a value the warmer is computing waits for it
(st.cache_data computes a key once, under a lock), which is never longer than computing it itself. Statements the
warmer sends are not a rerun's: it runs in threads named WARM_THREAD (the statement counters leave them out).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable

from nexus360.common import logs

log = logs.get_logger("nexus360.ui.warming")

WARM_THREAD = "nexus360-warm"
MAX_KEYS = 1_000  # keys remembered (a warm-up per view, user and data generation): forgotten all at once beyond it
enabled = True  # tests of other behaviour and `bench pages --cold` switch it off

_done: set[Hashable] = set()
_lock = threading.Lock()


def warm(key: Hashable, calls: Iterable[Callable[[], object]]) -> threading.Thread | None:
    """Run `calls` in a background thread, once per `key`; the thread (None: off, or done or under way already)."""
    if not enabled:
        return None
    with _lock:
        if key in _done:
            return None
        if len(_done) >= MAX_KEYS:
            _done.clear()
        _done.add(key)
    thread = threading.Thread(target=_run, args=(key, list(calls)), name=WARM_THREAD, daemon=True)
    thread.start()
    return thread


def _run(key: Hashable, calls: list[Callable[[], object]]) -> None:
    for call in calls:
        try:
            call()
        except Exception:  # noqa: BLE001 - a warm-up that fails leaves the page to compute (and report) it itself
            log.warning("warming a cache failed", exc_info=True)
            with _lock:
                _done.discard(key)  # the next view tries again
            return


def forget() -> None:
    """Forget which warm-ups ran (tests: after clearing the caches)."""
    with _lock:
        _done.clear()
