"""`python -m nexus360`: every verb group is registered once, and help needs no database."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from nexus360.cli import main

COMMANDS = {"db", "demo", "check", "auth", "import", "commissions", "server", "serve", "bench", "kb", "ask",
            "forecasts", "notifications", "health", "backup", "restore", "integrations", "worker"}


def test_every_verb_group_is_registered() -> None:
    assert set(main.commands) == COMMANDS


def test_help_lists_the_commands_without_touching_a_database() -> None:
    result = CliRunner().invoke(main, ["--help"], env={"NEXUS360_CRM_URL": "postgresql+psycopg://nobody@127.0.0.1:9/x"})

    assert result.exit_code == 0
    assert all(command in result.output for command in COMMANDS)


def test_python_dash_m_runs_the_same_command_line() -> None:
    result = subprocess.run([sys.executable, "-m", "nexus360", "bench", "--help"], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert all(name in result.stdout for name in ("crm", "marketing", "commissions"))
