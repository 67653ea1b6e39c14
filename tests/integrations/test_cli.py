"""`python -m nexus360 integrations …` and `worker --once` print JSON; `serve` starts a worker by default."""

from __future__ import annotations

import json

from click.testing import CliRunner

from nexus360.auth.audit.repository import list_events
from nexus360.cli import main
from nexus360.cli.serve import serve
from nexus360.db import Database, session_scope
from tests.integrations.conftest import emit


def run(*args: str) -> tuple[int, object]:
    result = CliRunner().invoke(main, list(args))
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output


def test_add_a_webhook_then_list_test_and_read_its_logs(clean, receiver) -> None:
    code, added = run("integrations", "add", "webhook", "--name", "CLI hook", "--url", receiver.url,
                      "--events", "deal.won,deal.lost", "--allow-private", "--json")
    assert code == 0 and added["signing_secret"].startswith("whsec_")
    receiver.secret = added["signing_secret"]
    with session_scope(Database.AUTH, admin=True) as session:
        audited = list_events(session, action="integrations.add", limit=1)
    assert audited.iloc[0]["object_id"] == "CLI hook" and added["signing_secret"] not in str(audited.to_dict())
    try:
        code, listed = run("integrations", "list", "--json")
        [hook] = [row for row in listed if row["name"] == "CLI hook"]
        assert hook["type"] == "webhook" and added["signing_secret"] not in json.dumps(listed)

        code, tested = run("integrations", "test", "CLI hook", "--json")
        assert code == 0 and tested["ok"] and receiver.requests[-1].verified

        emit("deal.won", {"id": 5})
        code, worked = run("worker", "--once", "--json")
        assert code == 0 and worked["outcomes"].get("delivered") == 1

        code, logs = run("integrations", "logs", "--name", "CLI hook", "--json")
        assert [row["event_type"] for row in logs] == ["deal.won", "test_connection"]
        code, retried = run("integrations", "retry", "--since", "1h", "--name", "CLI hook", "--json")
        assert code == 0 and retried["queued"] == 0

        code, entry = run("integrations", "log", str(logs[0]["id"]), "--json")
        assert code == 0 and entry["payload"]["type"] == "deal.won" and entry["can_retry"]
        assert added["signing_secret"] not in json.dumps(entry)
        code, retried = run("integrations", "retry", "--log", str(logs[0]["id"]), "--json")
        assert code == 0 and retried == {"queued": 1, "log_id": logs[0]["id"], "integration": "CLI hook"}
        code, queued = run("integrations", "queue", "--json")
        assert code == 0 and queued["queued"] >= 1 and queued["log_retention_days"] == 30
        code, worked = run("worker", "--once", "--json")
        assert worked["outcomes"].get("delivered") == 1 and receiver.requests[-1].message_id == logs[0]["message_id"]

        code, changed = run("integrations", "update", "CLI hook", "--set", "events=deal.lost", "--json")
        assert code == 0 and changed["settings"]["events"] == ["deal.lost"]
        assert changed["settings"]["url"] == receiver.url
        assert changed["secrets"]["Signing secret"].startswith("encrypted")  # kept, not replaced
        code, output = run("integrations", "update", "CLI hook", "--set", "port")
        assert code == 1 and "FIELD=VALUE" in output
    finally:
        run("integrations", "remove", "CLI hook", "--yes")


def test_bad_input_is_one_sentence_and_exit_1(seeded) -> None:
    code, output = run("integrations", "add", "webhook", "--name", "Bad", "--url", "gopher://x", "--events", "deal.won")
    assert code == 1 and "URL must start with http" in output
    code, output = run("integrations", "retry", "--since", "yesterday-ish")
    assert code == 1 and "--since" in output
    code, output = run("integrations", "retry")
    assert code == 1 and "--since TIME" in output and "--log ID" in output
    code, output = run("integrations", "test", "No such connector")
    assert code == 1 and "No integration is named" in output


def test_serve_starts_a_worker_unless_told_not_to() -> None:
    with serve.make_context("serve", []) as context:
        assert context.params["worker"] is True
    with serve.make_context("serve", ["--no-worker"]) as context:
        assert context.params["worker"] is False
