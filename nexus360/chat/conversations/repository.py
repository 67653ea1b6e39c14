"""Every query of conversations, messages and feedback. Row-level security limits each to its owner;
the queries also name the owner, so the (user_id, updated_at) index serves the list."""

from __future__ import annotations

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from nexus360.chat.models import Conversation, Message, MessageFeedback
from nexus360.common.sql import contains

UTC_NOW = func.timezone("utc", func.now())


def create_conversation(session: Session, *, user_id: int, title: str) -> int:
    statement = insert(Conversation).values(user_id=user_id, title=title).returning(Conversation.id)
    return int(session.execute(statement).scalar_one())


def list_conversations(session: Session, *, user_id: int, search: str, limit: int) -> list[dict]:
    statement = select(Conversation.id, Conversation.title, Conversation.created_at, Conversation.updated_at).where(
        Conversation.user_id == user_id
    )
    if search:
        in_messages = exists().where(Message.conversation_id == Conversation.id, contains(Message.content, search))
        statement = statement.where(or_(contains(Conversation.title, search), in_messages))
    statement = statement.order_by(Conversation.updated_at.desc().nulls_last(), Conversation.id.desc()).limit(limit)
    return [dict(row._mapping) for row in session.execute(statement)]


def get_conversation(session: Session, conversation_id: int, *, user_id: int) -> Conversation | None:
    return session.scalar(select(Conversation).where(Conversation.id == conversation_id,
                                                     Conversation.user_id == user_id))


def rename_conversation(session: Session, conversation_id: int, *, title: str) -> None:
    session.execute(update(Conversation).where(Conversation.id == conversation_id).values(title=title))


def touch_conversation(session: Session, conversation_id: int) -> None:
    session.execute(update(Conversation).where(Conversation.id == conversation_id).values(updated_at=UTC_NOW))


def delete_conversation(session: Session, conversation_id: int) -> None:
    session.execute(delete(Message).where(Message.conversation_id == conversation_id))  # feedback cascades
    session.execute(delete(Conversation).where(Conversation.id == conversation_id))


def add_message(session: Session, conversation_id: int, values: dict) -> int:
    statement = insert(Message).values(conversation_id=conversation_id, **values).returning(Message.id)
    return int(session.execute(statement).scalar_one())


def list_messages(session: Session, conversation_id: int, *, limit: int | None = None) -> list[dict]:
    """The conversation's messages, oldest first (the last `limit` of them when given), with feedback."""
    statement = (
        select(Message.id, Message.role, Message.content, Message.tokens, Message.prompt_tokens,
               Message.tokens_estimated, Message.model, Message.citations, Message.tool_runs, Message.created_at,
               MessageFeedback.rating, MessageFeedback.comment)
        .outerjoin(MessageFeedback, MessageFeedback.message_id == Message.id)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [dict(row._mapping) for row in reversed(session.execute(statement).all())]


def message_owner_conversation(session: Session, message_id: int, *, user_id: int) -> int | None:
    return session.scalar(select(Message.conversation_id)
                          .join(Conversation, Conversation.id == Message.conversation_id)
                          .where(Message.id == message_id, Conversation.user_id == user_id,
                                 Message.role == "assistant"))


def set_feedback(session: Session, *, message_id: int, user_id: int, rating: int, comment: str | None) -> None:
    statement = pg_insert(MessageFeedback).values(message_id=message_id, user_id=user_id, rating=rating,
                                                  comment=comment)
    session.execute(statement.on_conflict_do_update(index_elements=[MessageFeedback.message_id],
                                                    set_={"rating": rating, "comment": comment}))


def clear_feedback(session: Session, *, message_id: int) -> None:
    session.execute(delete(MessageFeedback).where(MessageFeedback.message_id == message_id))
