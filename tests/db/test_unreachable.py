"""A database that cannot be reached gives one clear message naming it and its host."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from nexus360.cli import main
from nexus360.common.errors import DatabaseUnavailable
from nexus360.config import reset_settings
from nexus360.db import Database, dispose_engines, session_scope

DEAD_URL = "postgresql://nobody:secret@127.0.0.1:1/nexus360_crm"


@pytest.fixture
def crm_unreachable(monkeypatch: pytest.MonkeyPatch, migrated):
    monkeypatch.setenv("NEXUS360_CRM_URL", DEAD_URL)
    reset_settings()
    dispose_engines()
    yield
    monkeypatch.delenv("NEXUS360_CRM_URL")
    reset_settings()
    dispose_engines()


@pytest.mark.usefixtures("crm_unreachable")
def test_session_scope_names_the_database_and_host() -> None:
    with pytest.raises(DatabaseUnavailable) as raised, session_scope(Database.CRM):
        pass
    assert raised.value.database == "crm"
    assert "127.0.0.1:1" in str(raised.value)
    assert "secret" not in str(raised.value)


@pytest.mark.usefixtures("crm_unreachable")
def test_cli_prints_one_line_and_exits_non_zero() -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "Cannot reach the crm database at 127.0.0.1:1" in result.output
    assert "Traceback" not in result.output


def test_cli_rejects_an_unknown_command() -> None:
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command" in result.output
