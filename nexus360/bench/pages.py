"""`python -m nexus360 bench pages`: how long each page, tab and common interaction takes to run, per role.

Every figure is the script time of a warm rerun under Streamlit's AppTest (the same script the server runs,
in this process, against the configured databases): the page is opened once to warm caches and
connections, then rerun `runs` times; median and p95 in ms, and the SQL statements one rerun sent (counted
on every engine, so a cache hit sends none). `floor` is the router and sidebar with an empty page: what every
page costs before it draws anything. Tabs are opened through their session-state key (lazy tabs,
`st.tabs(..., key=..., on_change="rerun")`); interactions are registered per page in INTERACTIONS.

This drives the UI, so it imports streamlit (the one module outside nexus360.ui allowed to; see pyproject).
"""

from __future__ import annotations

import gc
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from nexus360.config import PROJECT_ROOT
from nexus360.ui.warming import WARM_THREAD

HOME = str(PROJECT_ROOT / "Home.py")
ROLES = ("manager", "rep", "marketer", "admin")
Interaction = Callable[[AppTest], None]

# page url_path -> {interaction name: what a person does (set a widget, press a button)}; pages add theirs.
INTERACTIONS: dict[str, dict[str, Interaction]] = {}


def _crm_interactions() -> dict[str, Interaction]:
    from nexus360.ui.crm.interactions import INTERACTIONS as crm

    return crm


INTERACTIONS["crm"] = _crm_interactions()


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    statements: int

    def as_dict(self) -> dict[str, float | int]:
        return {"median_ms": self.median_ms, "p95_ms": self.p95_ms, "statements": self.statements}


class StatementCounter:
    """Counts SQL statements sent by any engine of this process while `counting()` is open."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()
        event.listen(Engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        if threading.current_thread().name.startswith(WARM_THREAD):  # background warm-ups are no rerun's statements
            return
        with self._lock:
            self._count += 1

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._seen)

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        start = self._count
        result = [0]
        try:
            yield result
        finally:
            result[0] = self._count - start


def principal_for(username: str):
    from nexus360.auth import service as auth_service
    from nexus360.db import Database, session_scope

    with session_scope(Database.AUTH) as session:
        return auth_service.get_principal_by_username(session, username)


def open_page(username: str, script: str | None) -> AppTest:
    """Home.py signed in as `username`, switched to pages/`script` (None: Home)."""
    app = AppTest.from_file(HOME, default_timeout=120)
    app.session_state["principal"] = principal_for(username)
    app.run()
    if script:
        app.switch_page(str(PROJECT_ROOT / "pages" / script))
        app.run()
    _raise_on_exception(app)
    return app


def _raise_on_exception(app: AppTest) -> None:
    if app.exception:
        raise RuntimeError(f"the page raised: {app.exception[0].value}")


def time_reruns(app: AppTest, counter: StatementCounter, *, runs: int,
                before: Interaction | None = None) -> Timing:
    """Median/p95 ms of `runs` reruns (each preceded by `before`, e.g. setting a widget) and one rerun's SQL.

    The benchmark's own garbage (the AppTest trees of the pages it opened before) is collected first, untimed:
    left alone, a full collection of it fell into the next timed run (~180 ms at the large scale). Collection
    stays on during the runs, as it is in the server."""
    gc.collect()
    durations, statements = [], 0
    for _ in range(runs):
        if before is not None:
            before(app)
        with counter.counting() as sent:
            started = time.perf_counter()
            app.run()
            durations.append((time.perf_counter() - started) * 1000)
        _raise_on_exception(app)
        statements = sent[0]
    ordered = sorted(durations)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Timing(round(statistics.median(ordered), 1), round(p95, 1), statements)


def tab_key(url_path: str) -> str:
    """The session-state key of a page's lazy tab bar (the convention every page follows: `<url_path>_tab`)."""
    return f"{url_path}_tab"


def tab_keys(app: AppTest, url_path: str) -> dict[str, list[str]]:
    """The page's lazy tab bar and its labels, when it has one."""
    key = tab_key(url_path)
    if key not in app.session_state:
        return {}
    return {key: [tab.label for tab in app.tabs if tab.label]}


def _page_interactions() -> None:
    """The Commissions and Admin pages' interactions (their modules live beside their views)."""
    from nexus360.ui.admin.interactions import INTERACTIONS as admin
    from nexus360.ui.compensation.interactions import INTERACTIONS as commissions

    INTERACTIONS["commissions"] = commissions
    INTERACTIONS["admin"] = admin


_page_interactions()


def bench_page(username: str, url_path: str, script: str | None, counter: StatementCounter, *,
               runs: int) -> dict[str, Any]:
    app = open_page(username, script)
    result: dict[str, Any] = {"open": time_reruns(app, counter, runs=runs).as_dict()}
    tabs: dict[str, Any] = {}
    for key, labels in tab_keys(app, url_path).items():
        for label in labels[1:] + labels[:1]:
            app.session_state[key] = label
            app.run()  # the switch itself; then warm reruns of the open tab
            tabs[label] = time_reruns(app, counter, runs=runs).as_dict()
    if tabs:
        result["tabs"] = tabs
    interactions = {}
    for name, interaction in INTERACTIONS.get(url_path, {}).items():
        fresh = open_page(username, script)
        interactions[name] = time_reruns(fresh, counter, runs=runs, before=interaction).as_dict()
    if interactions:
        result["interactions"] = interactions
    return result


def _empty_page_app() -> None:
    """What Home.py does (page config, sign-in check, navigation, sidebar) around a page with one title."""
    import streamlit as st

    from nexus360.ui import navigation, sidebar, signin

    st.set_page_config(page_title="Nexus360", layout="wide")
    with st.container(key="sign_in_gate"):
        principal = signin.signed_in_principal()
    others = [st.Page(str(navigation.PAGES_DIR / spec.script), title=spec.title, url_path=spec.url_path,
                      visibility="hidden") for spec in navigation.PAGES]
    page = st.navigation([st.Page(lambda: st.title("Empty"), title="Empty", url_path="empty", default=True),
                          *others])
    sidebar.render(principal)
    page.run()


def bench_floor(username: str, counter: StatementCounter, *, runs: int) -> dict[str, Any]:
    """The router, sign-in check and sidebar with a page that draws one title."""
    app = AppTest.from_function(_empty_page_app, default_timeout=120)
    app.session_state["principal"] = principal_for(username)
    app.run()
    _raise_on_exception(app)
    return time_reruns(app, counter, runs=runs).as_dict()


def bench_pages(*, runs: int = 5, roles: tuple[str, ...] = ROLES, only: str | None = None) -> dict[str, Any]:
    """Every page the role may open, its tabs and registered interactions; JSON-ready."""
    from nexus360.ui.navigation import PAGES

    counter = StatementCounter()
    try:
        report: dict[str, Any] = {"runs": runs, "unit": "ms of script time per warm rerun (AppTest)"}
        for username in roles:
            principal = principal_for(username)
            pages: dict[str, Any] = {"floor": bench_floor(username, counter, runs=runs)}
            for spec in PAGES:
                if not spec.allowed(principal) or (only and only not in spec.url_path):
                    continue
                script = None if spec.url_path == "home" else spec.script
                pages[spec.url_path] = bench_page(username, spec.url_path, script, counter, runs=runs)
            report[username] = pages
        return report
    finally:
        counter.close()


def as_markdown(report: dict[str, Any]) -> str:
    """The report as one Markdown table (README's): each figure's median / p95 and what it sends, per role."""
    lines = ["| role | page | what | median ms | p95 ms | p95 beyond the floor | SQL statements |",
             "|---|---|---|---|---|---|---|"]
    for role, pages in report.items():
        if not isinstance(pages, dict) or "floor" not in pages:
            continue
        floor = pages["floor"]
        lines.append(f"| {role} | (empty page) | floor | {floor['median_ms']:.0f} | {floor['p95_ms']:.0f} | – | "
                     f"{floor['statements']} |")
        for page, figures in pages.items():
            if page == "floor":
                continue
            rows = [("open", figures["open"])]
            rows += [(f"tab {name}", timing) for name, timing in figures.get("tabs", {}).items()]
            rows += list(figures.get("interactions", {}).items())
            for what, timing in rows:
                beyond = timing["p95_ms"] - floor["p95_ms"] if what == "open" else None
                lines.append(f"| {role} | {page} | {what} | {timing['median_ms']:.0f} | {timing['p95_ms']:.0f} | "
                             f"{'–' if beyond is None else f'{beyond:+.0f}'} | {timing['statements']} |")
    return "\n".join(lines)


# --- what people do on Campaigns & Leads (url_path "campaigns") --------------------------------------------


def _flip(kind: str, key: str, one: Any, other: Any) -> Interaction:
    """Set widget `key` to `one`, or to `other` when it already is `one`: a change on every run."""
    def interact(app: AppTest) -> None:
        widget = app.get(kind)
        found = next(element for element in widget if element.key == key)
        found.set_value(other if found.value == one else one)
    return interact


def _open_tab(key: str, label: str, then: Interaction | None = None) -> Interaction:
    def interact(app: AppTest) -> None:
        if app.session_state[key] != label:
            app.session_state[key] = label
            app.run()  # the tab switch is timed on its own (tabs); this times what follows
        if then is not None:
            then(app)
    return interact


def _select_row(table: str) -> Interaction:
    """Select the first row, or the second when the first is selected: opens one record after another."""
    def interact(app: AppTest) -> None:
        current = app.session_state[table]["selection"]["rows"] if table in app.session_state else []
        app.session_state[table] = {"selection": {"rows": [1 if current == [0] else 0], "columns": [], "cells": []}}
    return interact


def _next_page(list_key: str) -> Interaction:
    """Next page, or back to the first from the second."""
    def interact(app: AppTest) -> None:
        buttons = {button.key: button for button in app.button}
        on_second = len(app.session_state[f"{list_key}_pager"]["afters"]) > 1
        buttons[f"{list_key}_prev" if on_second else f"{list_key}_next"].click()
    return interact


INTERACTIONS["campaigns"] = {
    "campaigns: status filter": _flip("selectbox", "campaign_status_filter", "active", ""),
    "campaigns: open a campaign": _select_row("campaigns_table"),
    "leads: status filter": _open_tab("campaigns_tab", "Leads", _flip("selectbox", "lead_status_filter", "new", "")),
    "leads: next page": _open_tab("campaigns_tab", "Leads", _next_page("leads")),
    "leads: open a lead": _open_tab("campaigns_tab", "Leads", _select_row("leads_table")),
    "roi: period": _open_tab("campaigns_tab", "ROI", _flip("selectbox", "roi_period", "All time", "Last 12 months")),
}
