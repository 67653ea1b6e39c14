"""Demo assistant: the knowledge base, and two or three past conversations per active user."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from nexus360.chat.models import Conversation, KnowledgeArticle, Message
from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import Clock, Demo, Member, insert_rows, rng_for

DATABASE = Database.CHAT
TABLES = ("knowledge_base", "conversations", "messages")


def seed(session: Session, demo: Demo) -> str:
    """Knowledge-base articles and conversations."""
    _seed_chat(session, demo.clock, demo.members, demo.counts)
    return f"chat: {demo.counts['knowledge_base']} articles, {demo.counts['conversations']} conversations"


def _seed_chat(session: Session, clock: Clock, members: list[Member], counts: dict[str, int]) -> None:
    rng = rng_for("chat")
    articles = []
    for index, (title, content) in enumerate(data.KNOWLEDGE_BASE):
        created = clock.stamp(clock.day(-420 + 9 * index), rng)
        articles.append({"title": title, "content": content, "created_at": created,
                         "updated_at": max(created, clock.stamp(clock.day(-rng.randint(5, 120)), rng))})
    insert_rows(session, KnowledgeArticle, articles, counts, ids=False)
    threads: list[tuple[dict, list[dict]]] = []
    for member in members:
        if member.left is not None:
            continue
        scripts = [script for script in data.CHAT_SCRIPTS if member.role in script[1]]
        for title, _roles, exchanges in rng.sample(scripts, rng.randint(2, 3)):
            moment = clock.stamp(clock.day(-rng.randint(1, 75)), rng)
            conversation = {"user_id": member.id, "title": title, "created_at": moment}
            messages = []
            for question, answer in exchanges:
                for role, content, pause in (("user", question, (20, 120)), ("assistant", answer, (3, 15))):
                    moment += timedelta(seconds=rng.randint(*pause))
                    messages.append({"role": role, "content": content, "tokens": len(content) // 4 + 1,
                                     "created_at": moment})
            conversation["updated_at"] = moment
            threads.append((conversation, messages))
    threads.sort(key=lambda thread: (thread[0]["created_at"], thread[0]["user_id"]))
    conversation_ids = insert_rows(session, Conversation, [thread[0] for thread in threads], counts)
    messages = [
        {"conversation_id": conversation_id, **message}
        for conversation_id, (_conversation, thread_messages) in zip(conversation_ids, threads, strict=True)
        for message in thread_messages
    ]
    insert_rows(session, Message, messages, counts, ids=False)
