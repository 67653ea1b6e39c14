"""Assistant page under AppTest: each role opens it, asks, sees a cited answer; managers of the
knowledge base get its view, others do not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nexus360.chat.conversations import service as conversations
from nexus360.db import Database, session_scope
from tests.pages.apptest import open_as, principal_for, shown


@pytest.fixture
def fresh_conversations(seeded) -> Iterator[None]:
    """The conversations these tests create are deleted afterwards (the flow commits)."""
    before = {username: _ids(username) for username in ("rep", "marketer", "manager")}
    yield
    for username, ids in before.items():
        principal = principal_for(username)
        for conversation_id in _ids(username) - ids:
            with session_scope(Database.CHAT, actor=principal) as session:
                conversations.delete_conversation(session, principal, conversation_id=conversation_id)


def _ids(username: str) -> set[int]:
    principal = principal_for(username)
    with session_scope(Database.CHAT, actor=principal) as session:
        return {item.id for item in conversations.list_conversations(session, principal, limit=200)}


def texts(app) -> str:
    return shown("\n".join([m.value for m in app.markdown] + [c.value for c in app.caption]
                            + [i.value for i in app.info]))


@pytest.mark.parametrize("username", ["admin", "manager", "rep", "marketer"])
def test_each_role_opens_the_assistant(username, seeded) -> None:
    app = open_as(username, "chat")
    assert not app.exception
    assert app.title[0].value == "Assistant"
    assert "Model: offline (no language model configured)" in texts(app)
    assert len(app.chat_input) == 1
    has_view = any(control.label == "View" for control in app.get("button_group"))
    assert has_view == (username in ("admin", "marketer"))  # knowledge.manage


def test_a_rep_asks_and_gets_a_streamed_cited_answer(fresh_conversations) -> None:
    app = open_as("rep", "chat")
    app.chat_input[0].set_value("How is my commission computed?").run()
    assert not app.exception
    shown = texts(app)
    assert "No language model is configured" in shown
    assert "Commission statement: Your" in shown
    assert any(expander.label == "How I got this" for expander in app.expander)
    # the statement's lines are part of the answer, not only inside "How I got this"
    how = next(expander for expander in app.expander if expander.label == "How I got this")
    assert not how.get("arrow_table") and not app.dataframe
    # a table that wraps its long explanations (st.table, whose cells are Markdown: each is escaped)
    assert [list(frame.value.columns) for frame in app.table] == [["Deal or item", "Commission",
                                                                   "How it is computed"]]
    assert any("\\$" in cell for cell in app.table[0].value["Commission"])  # "$1,234.00", escaped
    popovers = [popover.proto.popover.label for popover in app.get("popover")]
    assert any("The commission plan explained" in label for label in popovers)
    assert "Rename" in popovers and "Delete" in popovers


def test_a_marketer_sees_the_knowledge_base_with_its_index_status(seeded) -> None:
    app = open_as("marketer", "chat")
    app.get("button_group")[0].set_value("Knowledge base").run()
    assert not app.exception
    assert any("articles in" in caption.value and "up to date" in caption.value for caption in app.caption)
    assert len(app.dataframe) == 1 and len(app.dataframe[0].value) >= 30
