"""Conversation rules: everyone with the assistant (`chat.use`) keeps their own conversations; nobody
reads anyone else's (row-level security says so too). Deleting is final: the page confirms first."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.chat import engine
from nexus360.chat.conversations import repository
from nexus360.chat.conversations.schemas import (
    TITLE_MAX,
    AssistantMessageCreate,
    ConversationRead,
    ConversationRename,
    FeedbackCreate,
    MessageRead,
)
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.text import CONTROLS, clean_text
from nexus360.common.validation import parse

USE = "chat.use"
QUESTION_MAX = 4000
GONE = "This conversation no longer exists (it may have been deleted)."


def title_for(question: str) -> str:
    """A new conversation's title: its first question, cut at a word near 60 characters."""
    text = " ".join(question.split())
    if len(text) <= 60:
        return text
    cut = text.rfind(" ", 0, 60)
    return text[: cut if cut > 20 else 60].rstrip(" ,.;:") + "…"


def clean_question(question: str) -> str:
    """The question as it will be saved; empty or overlong questions are refused."""
    text = CONTROLS.sub("", question or "").strip()  # line breaks stay; NUL and the like go (PostgreSQL refuses NUL)
    if not text:
        raise ValidationError("Question is required: type what you want to know.")
    if len(text) > QUESTION_MAX:
        raise ValidationError(f"Question must be at most {QUESTION_MAX:,} characters (it has {len(text):,}).")
    return text


def list_conversations(session: Session, principal: Principal, *, search: str = "",
                       limit: int = 50) -> list[ConversationRead]:
    """The principal's conversations, newest first; `search` matches titles and message text."""
    require(principal, USE)
    rows = repository.list_conversations(session, user_id=principal.id, search=clean_text(search) or "",
                                         limit=max(1, min(limit, 200)))
    return [ConversationRead(**{**row, "title": row["title"] or "Untitled conversation"}) for row in rows]


def start_conversation(session: Session, principal: Principal, *, question: str) -> int:
    """A new conversation titled after its first question; returns its id."""
    require(principal, USE)
    return repository.create_conversation(session, user_id=principal.id, title=title_for(clean_question(question)))


def rename_conversation(session: Session, principal: Principal, *, conversation_id: int, title: str) -> None:
    """Give one of the principal's conversations a new title."""
    require(principal, USE)
    data = parse(ConversationRename, title=title)
    _own(session, principal, conversation_id)
    repository.rename_conversation(session, conversation_id, title=data.title[:TITLE_MAX])


def delete_conversation(session: Session, principal: Principal, *, conversation_id: int) -> None:
    """Delete one of the principal's conversations with its messages and feedback."""
    require(principal, USE)
    _own(session, principal, conversation_id)
    repository.delete_conversation(session, conversation_id)


def list_messages(session: Session, principal: Principal, *, conversation_id: int,
                  limit: int | None = None) -> list[MessageRead]:
    """The conversation's messages, oldest first, with their sources, tools and feedback."""
    require(principal, USE)
    _own(session, principal, conversation_id)
    return [MessageRead(**{**row, "citations": row["citations"] or [], "tool_runs": row["tool_runs"] or []})
            for row in repository.list_messages(session, conversation_id, limit=limit)]


def add_question(session: Session, principal: Principal, *, conversation_id: int, question: str) -> int:
    """Save the principal's question in their conversation; returns the message id."""
    require(principal, USE)
    text = clean_question(question)
    _own(session, principal, conversation_id)
    message_id = repository.add_message(session, conversation_id, {
        "role": "user", "content": text, "tokens": engine.estimate_tokens(text), "tokens_estimated": True,
    })
    repository.touch_conversation(session, conversation_id)
    return message_id


def add_answer(session: Session, principal: Principal, *, conversation_id: int,
               answer: AssistantMessageCreate) -> int:
    """Save the assistant's answer with its token counts, citations and tool runs; returns its id."""
    require(principal, USE)
    _own(session, principal, conversation_id)
    values = {"role": "assistant", **answer.model_dump(mode="json")}
    message_id = repository.add_message(session, conversation_id, values)
    repository.touch_conversation(session, conversation_id)
    return message_id


def set_feedback(session: Session, principal: Principal, *, message_id: int, rating: int | None,
                 comment: str | None = None) -> None:
    """Thumbs up (1) or down (-1) on one of the assistant's answers, with an optional comment; None clears it."""
    require(principal, USE)
    if repository.message_owner_conversation(session, message_id, user_id=principal.id) is None:
        raise NotFoundError("This answer no longer exists (its conversation may have been deleted).")
    if rating is None:
        repository.clear_feedback(session, message_id=message_id)
        return
    data = parse(FeedbackCreate, rating=rating, comment=comment or None)
    if data.rating == 0:
        raise ValidationError("Rating must be thumbs up or thumbs down.")
    repository.set_feedback(session, message_id=message_id, user_id=principal.id, rating=data.rating,
                            comment=data.comment or None)


def _own(session: Session, principal: Principal, conversation_id: int) -> None:
    if repository.get_conversation(session, conversation_id, user_id=principal.id) is None:
        raise NotFoundError(GONE)
