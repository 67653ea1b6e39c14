"""Where a notification leads, and when it came, as the person reads it.

A notification stores its deep link as an address inside the app (`/crm?crm_tab=Deals&deal=2006`, see
docs/architecture.md "Deep links"); this turns it into the page to switch to and its query parameters, if the
person may open that page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from nexus360.auth.schemas import Principal
from nexus360.ui.navigation import PAGES, PAGES_DIR


def target(link: str | None, principal: Principal) -> tuple[str, dict[str, str]] | None:
    """(page script, query parameters) of a stored link, or None (no link, an unknown page, not allowed)."""
    if not link:
        return None
    parts = urlsplit(link)
    path = parts.path.strip("/") or "home"
    spec = next((page for page in PAGES if page.url_path == path), None)
    if spec is None or not spec.allowed(principal):
        return None
    return str(PAGES_DIR / spec.script), dict(parse_qsl(parts.query))


def when(moment: datetime | None, zone: ZoneInfo, *, now: datetime | None = None) -> str:
    """'Today, 14:05 CET', 'Yesterday, 09:12 CET', '28 Mar, 14:05 CET', '28 Mar 2025, 14:05 CET' in the
    person's zone (stored moments are UTC)."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    clock = f"{local:%H:%M} {local.tzname()}"
    days = (today - local.date()).days
    if days == 0:
        return f"Today, {clock}"
    if days == 1:
        return f"Yesterday, {clock}"
    day = f"{local.day} {local:%b}" + ("" if local.year == today.year else f" {local.year}")
    return f"{day}, {clock}"
