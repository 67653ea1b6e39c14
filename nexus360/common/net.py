"""Network helpers shared by the commands that serve the app and the tests' stand-in servers."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the operating system's choice), to start a server on."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
