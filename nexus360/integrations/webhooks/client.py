"""Sending one webhook over HTTP(S) with httpx, to a checked address only (SSRF).

Only http and https; the host is resolved once, every address it resolves to is checked (no loopback,
link-local, private or reserved address unless the endpoint's admin allowed private networks), and the
request goes to the checked address itself, the name kept for the Host header, TLS's SNI and certificate
check, so a DNS answer that changes between check and connect (DNS rebinding) reaches nothing unchecked.
Redirects are never followed: a 3xx is a failed attempt.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from nexus360.common.errors import ValidationError
from nexus360.integrations.webhooks import engine

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a status code, or an error without one (refused, timeout, connection)."""

    status_code: int | None
    duration_ms: int
    excerpt: str | None
    retry_after: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class RefusedAddress(ValidationError):
    """The URL may not be delivered to (scheme, or an address the SSRF rules refuse)."""


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or RefusedAddress saying what is wrong with it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise RefusedAddress("URL must start with http:// or https://.")
    if not parts.hostname:
        raise RefusedAddress("URL has no host name.")
    if parts.username or parts.password:
        raise RefusedAddress("URL must not carry a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise RefusedAddress("URL has an invalid port.") from error
    return parts.scheme, parts.hostname, port


def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Every address `host` resolves to, all checked; RefusedAddress names the first one refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedAddress(f"The host {host} cannot be resolved.") from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            reason = engine.refused_address(address)
            if reason:
                raise RefusedAddress(f"{host} resolves to {reason} ({address}); deliveries go to public "
                                     "addresses unless an admin allows private networks for this endpoint.")
    return addresses


def post(url: str, *, body: bytes, headers: dict[str, str], allow_private: bool, timeout: float) -> Outcome:
    """POST `body` to `url` once; never raises for network trouble (the Outcome says what happened)."""
    started = time.monotonic()
    try:
        scheme, host, port = check_url(url)
        address = resolve(host, port, allow_private=allow_private)[0]
    except RefusedAddress as error:
        return Outcome(None, _ms(started), None, error=str(error))
    parts = urlsplit(url.strip())
    literal = f"[{address}]" if ":" in address else address
    pinned = urlunsplit((scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
    request_headers = {**headers, "host": parts.netloc.rpartition("@")[2]}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(pinned, content=body, headers=request_headers,
                                   extensions={"sni_hostname": host} if scheme == "https" else None)
    except httpx.TimeoutException:
        return Outcome(None, _ms(started), None, error=f"No answer within {timeout:g} s.")
    except httpx.HTTPError as error:
        return Outcome(None, _ms(started), None, error=f"Cannot connect: {type(error).__name__}.")
    excerpt = response.text[:EXCERPT_CHARS] if response.content else None
    error = None
    if 300 <= response.status_code < 400:
        error = f"Answered {response.status_code} (a redirect); redirects are not followed."
    elif not 200 <= response.status_code < 300:
        error = f"Answered {response.status_code}."
    return Outcome(response.status_code, _ms(started), excerpt, response.headers.get("retry-after"), error)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
