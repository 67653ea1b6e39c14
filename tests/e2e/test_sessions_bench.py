"""`bench sessions`' websocket client against a real server: people of every role sign in through the form,
walk every page they may open (tabs, search, next page) at once, and the report counts what they did."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from nexus360.bench.sessions import bench_sessions
from nexus360.ui.navigation import PAGES, allowed_pages
from tests.pages.apptest import principal_for

ROLES = ("rep", "manager", "marketer", "admin")


def test_sessions_of_every_role_walk_their_pages_at_once(app_url: str) -> None:
    # In its own thread: Playwright's sync API keeps an event loop running in this one when browser tests ran first.
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(bench_sessions, app_url, 4, think=0, ramp=0, accounts=ROLES).result()
    assert report["broken_sessions"] == []
    assert report["error_count"] == 0, report["errors"]
    assert report["steps"]["sign-in open"]["runs"] == 4
    # Each person opened exactly the pages their role may open; together, every page.
    assert report["steps"]["open"]["runs"] == sum(len(allowed_pages(principal_for(name))) for name in ROLES)
    assert set(report["pages"]) == {spec.url_path for spec in PAGES}
    assert {"search", "next", "tab"} <= set(report["steps"])
    assert 0 < report["client"]["cpu_share_of_one_core"] < 0.5


def test_sessions_spread_over_replicas_and_stay_on_theirs(app_url: str, streamlit_server, tmp_path) -> None:
    # Two processes of the app, as behind a sticky load balancer: each session signs in and walks on one of them.
    with streamlit_server(tmp_path / "replica.log") as second_url, ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(bench_sessions, (app_url, second_url), 4, think=0, ramp=0, accounts=ROLES).result()
    assert report["broken_sessions"] == []
    assert report["error_count"] == 0, report["errors"]
    assert [(row["url"], row["sessions"]) for row in report["replicas"]] == [(app_url, 2), (second_url, 2)]
    assert all(row["pages"]["runs"] > 0 for row in report["replicas"])
