"""Security 5 in a real browser: a company name typed as Markdown, shown to another user in the CRM's duplicate
warning, reads exactly as typed and makes the browser fetch nothing (a small local server counts requests to the
image the name points at)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import delete

from nexus360.crm.models import Company
from nexus360.db import Database, session_scope
from tests.e2e.browser import DEMO_PASSWORD, screenshot, sign_in, wait_for_session_cookie, wait_idle


class PixelServer:
    """An HTTP server on 127.0.0.1 that answers every GET with a 1x1 GIF and remembers the paths asked for."""

    GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00" \
          b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits, gif = self.hits, self.GIF

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the protocol's name)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(gif)

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pixel() -> Iterator[PixelServer]:
    server = PixelServer()
    yield server
    server.close()


@pytest.fixture
def planted(pixel: PixelServer) -> Iterator[tuple[str, str]]:
    """A company whose name is Markdown pointing at the pixel server, and its domain."""
    name, domain = f"![x]({pixel.url}/pixel.png) **b**", "pixel-probe.example"
    with session_scope(Database.CRM, admin=True) as session:
        session.add(Company(name=name, domain=domain))
    yield name, domain
    with session_scope(Database.CRM, admin=True) as session:
        session.execute(delete(Company).where(Company.domain == domain))


def test_a_company_name_in_markdown_shows_as_typed_in_the_duplicate_warning_and_fetches_nothing(
    app_url: str, page, pixel: PixelServer, planted: tuple[str, str]
) -> None:
    name, domain = planted
    assert pixel.hits == [] and "pixel.png" in name
    sign_in(page, app_url, "manager", DEMO_PASSWORD)
    wait_for_session_cookie(page)
    page.goto(f"{app_url}/crm?crm_tab=Companies")
    wait_idle(page)
    page.get_by_text("New company", exact=True).click()
    wait_idle(page)
    page.get_by_label("Name *").fill("Pixel Probe Two")
    page.get_by_label("Domain").fill(domain)
    page.get_by_role("button", name="Create company").click()
    wait_idle(page)
    warning = page.locator("[data-testid=stAlertContentWarning]").filter(has_text="Possible duplicate")
    warning.wait_for()
    assert name in warning.inner_text()  # the name as typed: no image, no bold
    assert warning.locator("img, strong, em").count() == 0
    # A bare address in text becomes a link (GitHub Markdown's autolinks, applied after escapes): it fetches
    # nothing and reads as typed; nothing else of the name becomes markup.
    links = warning.locator("a").evaluate_all("found => found.map(a => [a.getAttribute('href'), a.innerText])")
    assert all(href == text == f"{pixel.url}/pixel.png" for href, text in links), links
    page.wait_for_timeout(1_000)
    screenshot(page, "markdown-company-name-in-duplicate-warning")
    assert pixel.hits == [], f"the browser fetched {pixel.hits} from the address in a company's name"
