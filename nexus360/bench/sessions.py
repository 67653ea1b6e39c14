"""`python -m nexus360 bench sessions --users N`: N people working at once, each in a real Streamlit session.

Each session speaks Streamlit's websocket protocol (`streamlit_client`), signs in through the sign-in form as a
demo user (roles mixed as in a sales team: reps, managers, marketers, an admin), and walks the pages it may open
like a person: open the page, open its tabs, search, go to the next page of a list, pausing between steps
(`think`). Every step's time is what the person waits: from the request to the script's end, the server's whole
run (queueing for a thread, the GIL and a database connection included). The report: p50/p95 per page and per
step, errors (pages that showed an error or an exception), the server's memory (RSS before and with every session
open, per session) and the client's own CPU time, so its overhead can be judged.

Started without `--url`, it serves the app itself (the configured databases; `NEXUS360_DATA_DIR=/tmp/large-data`
copy for the large demo) on a free port, so it knows the server's process for its memory. Several servers
(`--replicas N`, or `--url` repeated) share the sessions as a sticky load balancer would: session i on server
i mod N for its whole walk; the report adds each server's sessions and page-run figures. Each session comes from
an address of its own (`X-Forwarded-For`, which the server trusts from 127.0.0.1, as from a proxy in front of it):
from one address, sign-ins queue on that address's throttle counter, which people at different addresses do not.
"""

from __future__ import annotations

import asyncio
import random
import re
import resource
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import psutil

from nexus360.bench.streamlit_client import AppPage, Run, StreamlitSession, click, text_value

PASSWORD = "nexus360-demo"
# Who works at once, in the proportions of a sales team: half reps, then managers, marketers, an admin.
ROLE_MIX = ("rep", "manager", "rep", "marketer", "rep", "manager", "rep", "marketer", "rep", "admin")
SEARCHES = ("son", "tech", "north", "an", "global")
SEARCH_LABEL = re.compile(r"search", re.I)


@dataclass
class Step:
    user: str
    page: str
    step: str  # open, tab:<label>, search, next
    ms: float
    errors: list[str]


@dataclass
class Walker:
    """One person: their session, and what they did."""

    index: int
    username: str
    base_url: str
    think: float
    rounds: int
    steps: list[Step] = field(default_factory=list)
    failure: str | None = None
    received_bytes: int = 0
    rng: random.Random = field(default_factory=random.Random)

    async def walk(self) -> None:
        self.rng.seed(self.index)
        try:
            async with StreamlitSession(self.base_url, client_address=self.client_address) as session:
                await self._sign_in(session)
                for _ in range(self.rounds):
                    pages = [page for page in session.pages if not page.hidden]
                    for page in pages:
                        await self._visit(session, page)
                self.received_bytes = session.received_bytes
        except Exception as error:  # noqa: BLE001 - a session that broke is a finding, reported with the rest
            self.failure = f"{type(error).__name__}: {error}"[:300]

    @property
    def client_address(self) -> str:
        """Each person from an address of their own (a documentation range, RFC 5737), as people are: the sign-in
        throttle locks one counter per address for the whole sign-in, so people sharing one address sign in one
        after another."""
        return f"198.51.100.{self.index % 254 + 1}" if self.index < 254 else f"203.0.113.{self.index % 254 + 1}"

    async def _pause(self) -> None:
        if self.think:
            await asyncio.sleep(self.rng.uniform(0.5 * self.think, 1.5 * self.think))

    def _record(self, page: str, step: str, run: Run) -> Run:
        self.steps.append(Step(self.username, page, step, run.ms, run.errors))
        return run

    async def _sign_in(self, session: StreamlitSession) -> None:
        shown = self._record("sign-in", "open", await session.run())
        # A session that opened while the server was still cold sometimes ignores its first submit (no
        # refusal shown; the form drawn again): as a person would, it fills in the form it now sees and
        # presses the button again. A refusal (an error box) ends the walk at once.
        for _attempt in range(3):
            username = shown.widget("text_input", "Username")
            password = shown.widget("text_input", "Password")
            submit = next((w for w in shown.widgets if w.kind == "button" and w.label == "Sign in"), None)
            if not (username and password and submit):
                raise RuntimeError(f"no sign-in form (widgets: {[w.label for w in shown.widgets][:10]})")
            await self._pause()
            shown = self._record("sign-in", "submit", await session.run(
                [text_value(username, self.username), text_value(password, PASSWORD), click(submit)]))
            # The form is drawn before the password is checked (then emptied), so its widgets are in this
            # run's deltas either way: the sign-out button says whether it worked.
            if shown.widget("button", "Sign out") is not None:
                return
            if shown.errors:
                break
        raise RuntimeError(f"sign-in refused: {shown.errors or shown.texts[-3:]}")

    async def _visit(self, session: StreamlitSession, page: AppPage) -> None:
        await self._pause()
        run = self._record(_name(page), "open", await session.run(page=page))
        kept: list = []
        bar = next((widget for widget in run.widgets if widget.kind == "tabs"), None)
        for label in (bar.options[1:] if bar else ()):
            await self._pause()
            kept = [text_value(bar, label)]
            run = self._record(_name(page), f"tab:{label}", await session.run(kept))
            await self._search_and_page(session, page, run, kept)
        if bar is None:
            await self._search_and_page(session, page, run, kept)

    async def _search_and_page(self, session: StreamlitSession, page: AppPage, run: Run, kept: list) -> None:
        search = next((w for w in run.widgets if w.kind == "text_input" and not w.form_id
                       and SEARCH_LABEL.search(w.label) and not w.disabled), None)
        if search is not None:
            await self._pause()
            run = self._record(_name(page), "search", await session.run(
                [*kept, text_value(search, self.rng.choice(SEARCHES))]))
            kept = [*kept, text_value(search, "")]
            run = await session.run(kept)  # the person clears the search again (not counted: same as open)
        following = next((w for w in run.widgets if w.kind == "button" and w.label == "Next" and not w.disabled),
                         None)
        if following is not None:
            await self._pause()
            self._record(_name(page), "next", await session.run([*kept, click(following)]))


def _name(page: AppPage) -> str:
    return page.url_path or "home"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 1)


def summarize(values: list[float]) -> dict[str, float | int]:
    return {"runs": len(values), "p50_ms": round(statistics.median(values), 1), "p95_ms": percentile(values, 0.95),
            "max_ms": round(max(values), 1)}


async def _drive(base_urls: tuple[str, ...], users: int, *, rounds: int, think: float, ramp: float,
                 accounts: tuple[str, ...]) -> tuple[list[Walker], float, int]:
    # Session i on server i mod N, and there for its whole walk: what a sticky load balancer does.
    walkers = [Walker(index, accounts[index % len(accounts)], base_urls[index % len(base_urls)], think, rounds)
               for index in range(users)]
    started = time.perf_counter()

    async def one(walker: Walker) -> None:
        await asyncio.sleep(ramp * walker.index / max(1, users))
        await walker.walk()

    await asyncio.gather(*(one(walker) for walker in walkers))
    return walkers, time.perf_counter() - started, sum(walker.received_bytes for walker in walkers)


def bench_sessions(base_url: str | tuple[str, ...], users: int, *, rounds: int = 1, think: float = 2.0,
                   ramp: float = 10.0, accounts: tuple[str, ...] = ROLE_MIX,
                   server_pid: int | tuple[int, ...] | None = None) -> dict[str, Any]:
    """Drive `users` sessions against the app at `base_url` (several URLs: replicas of the app, each session
    staying on one, spread evenly); the report described in the module's docstring. `server_pid`: the process
    (one per URL) whose memory and CPU to report."""
    base_urls = (base_url,) if isinstance(base_url, str) else tuple(base_url)
    pids = (server_pid,) if isinstance(server_pid, int) else tuple(server_pid or ())
    servers = [psutil.Process(pid) for pid in pids]
    rss_before = [server.memory_info().rss for server in servers]
    cpu_before = [server.cpu_times() for server in servers]
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    peak_rss = list(rss_before)

    async def main() -> tuple[list[Walker], float, int]:
        sampler = asyncio.create_task(_sample_memory(servers, peak_rss)) if servers else None
        try:
            return await _drive(base_urls, users, rounds=rounds, think=think, ramp=ramp, accounts=accounts)
        finally:
            if sampler:
                sampler.cancel()

    walkers, wall, received = asyncio.run(main())
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (client_after.ru_utime - client_before.ru_utime) + (client_after.ru_stime - client_before.ru_stime)
    report = _report(walkers, wall, received, users=users, rounds=rounds, think=think, client_cpu=client_cpu)
    report["replicas"] = _replicas(walkers, base_urls)
    if servers:
        report["server"] = _server_figures(servers, rss_before, peak_rss, cpu_before, users=users)
    return report


async def _sample_memory(servers: list[psutil.Process], peak: list[int]) -> None:
    while True:
        for index, server in enumerate(servers):
            try:
                peak[index] = max(peak[index], server.memory_info().rss)
            except psutil.Error:
                return
        await asyncio.sleep(0.5)


def _replicas(walkers: list[Walker], base_urls: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per server: its sessions and the p50/p95 of their page runs (an uneven spread shows here)."""
    rows = []
    for url in base_urls:
        mine = [walker for walker in walkers if walker.base_url == url]
        runs = [step.ms for walker in mine for step in walker.steps if step.page != "sign-in"]
        rows.append({"url": url, "sessions": len(mine), **({"pages": summarize(runs)} if runs else {})})
    return rows


def _server_figures(servers: list[psutil.Process], rss_before: list[int], peak_rss: list[int], cpu_before: list,
                    *, users: int) -> dict[str, Any]:
    """Memory and CPU of the app's processes, summed over the replicas (per-process peaks: an upper bound)."""
    cpu = 0.0
    for server, before in zip(servers, cpu_before, strict=True):
        try:
            after = server.cpu_times()
        except psutil.Error:
            continue
        cpu += (after.user - before.user) + (after.system - before.system)
    return {
        "processes": len(servers),
        "rss_before_mb": round(sum(rss_before) / 2**20, 1), "rss_peak_mb": round(sum(peak_rss) / 2**20, 1),
        "per_session_mb": round((sum(peak_rss) - sum(rss_before)) / 2**20 / max(1, users), 2),
        "cpu_seconds": round(cpu, 1),
    }


def _report(walkers: list[Walker], wall: float, received: int, *, users: int, rounds: int, think: float,
            client_cpu: float) -> dict[str, Any]:
    steps = [step for walker in walkers for step in walker.steps]
    by_page: dict[str, list[float]] = defaultdict(list)
    by_step: dict[str, list[float]] = defaultdict(list)
    for step in steps:
        if step.page != "sign-in":
            by_page[step.page].append(step.ms)
        by_step[step.step.split(":")[0] if step.page != "sign-in" else f"sign-in {step.step}"].append(step.ms)
    page_runs = [step.ms for step in steps if step.page != "sign-in"]
    errors = [{"user": step.user, "page": step.page, "step": step.step, "shown": step.errors[0][:200]}
              for step in steps if step.errors]
    failures = [{"user": walker.username, "failure": walker.failure} for walker in walkers if walker.failure]
    report: dict[str, Any] = {
        "users": users, "rounds": rounds, "think_seconds": think, "wall_seconds": round(wall, 1),
        "runs": len(steps), "all_pages": summarize(page_runs) if page_runs else None,
        "pages": {page: summarize(values) for page, values in sorted(by_page.items())},
        "steps": {name: summarize(values) for name, values in sorted(by_step.items())},
        "errors": errors[:50], "error_count": len(errors), "broken_sessions": failures,
        "client": {"cpu_seconds": round(client_cpu, 1), "cpu_share_of_one_core": round(client_cpu / wall, 3),
                   "received_mb": round(received / 1e6, 1)},
        "load_average": [round(value, 1) for value in psutil.getloadavg()],
    }
    return report
