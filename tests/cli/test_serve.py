"""`make run PORT=8600` and STREAMLIT_SERVER_PORT choose the port; the app listens on localhost by default."""

from __future__ import annotations

import pytest

from nexus360.cli.serve import serve, streamlit_command


def _options(args: list[str]) -> dict:
    with serve.make_context("serve", args) as context:
        return context.params


def test_serve_listens_on_8501_and_localhost_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STREAMLIT_SERVER_PORT", raising=False)
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    assert _options([])["port"] == 8501
    assert _options([])["address"] == "127.0.0.1"


def test_port_option_and_streamlit_variable_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _options(["--port", "8600"])["port"] == 8600
    monkeypatch.setenv("STREAMLIT_SERVER_PORT", "8700")
    assert _options([])["port"] == 8700


def test_a_port_that_is_not_a_port_is_refused() -> None:
    with pytest.raises(Exception, match="70000"):
        _options(["--port", "70000"])


def test_streamlit_is_started_on_the_chosen_port_and_address() -> None:
    command = streamlit_command(8600, "0.0.0.0")
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
