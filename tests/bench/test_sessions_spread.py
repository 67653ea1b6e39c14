"""`bench sessions`' people: each from an address of their own, each on one replica (no server needed)."""

from __future__ import annotations

import ipaddress

from nexus360.bench.sessions import Walker


def _walkers(users: int, urls: tuple[str, ...]) -> list[Walker]:
    return [Walker(index, "rep", urls[index % len(urls)], think=0, rounds=1) for index in range(users)]


def test_every_person_signs_in_from_an_address_of_their_own() -> None:
    # From one address, sign-ins queue on that address's throttle counter (a row lock held through bcrypt).
    addresses = [walker.client_address for walker in _walkers(500, ("http://a",))]
    assert len(set(addresses)) == 500
    assert all(ipaddress.ip_address(address).is_private for address in addresses)  # documentation ranges


def test_sessions_are_spread_evenly_over_the_replicas() -> None:
    walkers = _walkers(25, ("http://a", "http://b"))
    assert [sum(walker.base_url == url for walker in walkers) for url in ("http://a", "http://b")] == [13, 12]
