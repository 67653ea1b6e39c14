"""Where an inbox card's Open button leads, and its times in the person's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nexus360.auth.schemas import DEFAULT_GRANTS, Principal
from nexus360.config import PROJECT_ROOT
from nexus360.notifications.events.schemas import CATALOG, link_for
from nexus360.ui.notifications import links

REP = Principal(id=10, email="rep@example.com", permissions=frozenset(DEFAULT_GRANTS["sales_rep"]))
MARKETER = Principal(id=3, email="m@example.com", permissions=frozenset(DEFAULT_GRANTS["marketer"]))


def test_a_stored_link_becomes_the_page_and_its_query() -> None:
    page, query = links.target("/crm?crm_tab=Deals&deal=2006", REP)
    assert page == str(PROJECT_ROOT / "pages" / "crm.py") and query == {"crm_tab": "Deals", "deal": "2006"}
    assert links.target("/commissions?period=2026-Q3", REP)[1] == {"period": "2026-Q3"}
    assert links.target("/", REP)[0].endswith("home.py")


def test_no_link_an_unknown_page_or_one_the_person_may_not_open_gives_no_button() -> None:
    assert links.target(None, REP) is None
    assert links.target("/nowhere", REP) is None
    assert links.target("/commissions?period=2026-Q3", MARKETER) is None


def test_every_catalogue_link_opens_a_page_of_the_app() -> None:
    admin = Principal(id=1, email="a@example.com", permissions=frozenset(DEFAULT_GRANTS["admin"]))
    for spec in CATALOG.values():
        assert links.target(link_for(spec, spec.sample()), admin) is not None, spec.type


def test_times_read_as_today_yesterday_or_a_date_in_the_persons_zone() -> None:
    now = datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    assert links.when(datetime(2026, 3, 29, 8, 30), berlin, now=now) == "Today, 10:30 CEST"
    assert links.when(datetime(2026, 3, 28, 8, 30), berlin, now=now) == "Yesterday, 09:30 CET"
    assert links.when(datetime(2026, 3, 20, 8, 30), berlin, now=now) == "20 Mar, 09:30 CET"
    assert links.when(datetime(2025, 12, 24, 8, 30), berlin, now=now) == "24 Dec 2025, 09:30 CET"
    assert links.when(None, berlin, now=now) == ""
