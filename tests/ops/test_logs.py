"""Every committed write is logged once, with the database and the user id and nothing personal; a rolled-back
one is not; fields that name secrets or personal data never reach a line."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from sqlalchemy import delete

from nexus360.chat.conversations import service as conversations
from nexus360.chat.models import Conversation
from nexus360.common import logs
from nexus360.db import Database, session_scope
from tests.crm.conftest import REP_ID, principal
from tests.ops.logcapture import captured_log

pytestmark = pytest.mark.usefixtures("seeded")
REP = principal(REP_ID, "sales_rep")


def test_a_committed_write_is_logged_once_with_database_and_user_only() -> None:
    question = f"Private question {uuid.uuid4().hex}"
    with captured_log() as lines, session_scope(Database.CHAT, actor=REP) as session:
        conversation = conversations.start_conversation(session, REP, question=question)
    writes = [line for line in lines if line["message"] == "write"]
    assert [(line["database"], line["user_id"]) for line in writes] == [("chat", REP_ID)]
    assert question not in json.dumps(lines) and REP.email not in json.dumps(lines)
    with session_scope(Database.CHAT, admin=True) as session:
        session.execute(delete(Conversation).where(Conversation.id == conversation))


def test_a_rolled_back_write_is_not_logged() -> None:
    with captured_log() as lines, pytest.raises(RuntimeError), session_scope(Database.CHAT, actor=REP) as session:
        conversations.start_conversation(session, REP, question="Never kept")
        raise RuntimeError("the page failed after the insert")
    assert not [line for line in lines if line["message"] == "write"]


def test_secret_and_personal_fields_never_reach_a_line() -> None:
    log = logs.get_logger("nexus360.test")
    with captured_log() as lines:
        logs.event(log, "signed in", level=logging.INFO, user_id=7, password="hunter2", token="abc",
                   email="emily.chen@nexus360.example.com", first_name="Emily", phone="+1 555", cookie="x",
                   page="home", duration_ms=12.5)
    line = next(line for line in lines if line["message"] == "signed in")
    assert line["user_id"] == 7 and line["page"] == "home" and line["duration_ms"] == 12.5
    for secret in ("hunter2", "abc", "emily.chen", "Emily", "+1 555"):
        assert secret not in json.dumps(line)
