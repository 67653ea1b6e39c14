"""Demo assistant: the knowledge base a sales organisation keeps (policies, processes, product FAQs,
onboarding, read from the Markdown files in `demo/knowledge/`, some for sales managers only), and two or
three past conversations per active user.

The articles are split into passages and embedded with the local method, exactly as `kb add` would, so the
assistant answers with citations on a fresh `make run` with no key configured.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from nexus360.auth.schemas import SALES_MANAGER
from nexus360.chat.client import LocalEmbedder
from nexus360.chat.knowledge.engine import read_document
from nexus360.chat.knowledge.schemas import ArticleCreate
from nexus360.chat.knowledge.service import passage_rows
from nexus360.chat.models import Conversation, KnowledgeArticle, KnowledgePassage, Message
from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import Clock, Demo, Member, insert_rows, rng_for

DATABASE = Database.CHAT
TABLES = ("knowledge_base", "knowledge_passages", "conversations", "messages")


def seed(session: Session, demo: Demo) -> str:
    """Knowledge-base articles (with passages and local embeddings) and conversations."""
    seed_knowledge_base(session, counts=demo.counts, anchor=demo.clock.anchor)
    _seed_conversations(session, demo.clock, demo.members, demo.counts)
    return (f"chat: {demo.counts['knowledge_base']} articles, {demo.counts['knowledge_passages']} passages, "
            f"{demo.counts['conversations']} conversations")


ARTICLES_DIR = Path(__file__).resolve().parent / "knowledge"
MANAGERS_ONLY_PREFIX = "manager-"  # files for sales managers (and administrators) only


def article_files() -> list[Path]:
    return sorted(ARTICLES_DIR.glob("*.md"))


def seed_knowledge_base(session: Session, *, counts: dict[str, int], anchor: date) -> None:
    """Insert the demo articles with their passages and local embeddings (as the tables' owner)."""
    embedder = LocalEmbedder()
    articles = passages = 0
    for index, path in enumerate(article_files()):
        document = read_document(path.name, path.read_bytes())
        audience = [SALES_MANAGER] if path.name.startswith(MANAGERS_ONLY_PREFIX) else []
        data = ArticleCreate(title=document.title, content=document.markdown, audience=audience,
                             source_name=path.name, source_type=document.source_type)
        rows = passage_rows(data)
        texts = ["\n".join(part for part in (row["title"], row["heading"], row["content"]) if part) for row in rows]
        vectors = embedder.embed([*texts, f"{data.title}\n{data.content[:1000]}"])
        created = datetime.combine(anchor - timedelta(days=400 - 9 * index), time(9, 30))
        article_id = session.execute(insert(KnowledgeArticle).values(
            **data.model_dump(), embedding=vectors[-1], embedding_model=embedder.model_name,
            created_at=created, updated_at=created + timedelta(days=index % 7),
        ).returning(KnowledgeArticle.id)).scalar_one()
        session.execute(insert(KnowledgePassage), [
            {**row, "article_id": article_id, "embedding": vector, "embedding_model": embedder.model_name,
             "created_at": created} for row, vector in zip(rows, vectors, strict=False)
        ])
        articles, passages = articles + 1, passages + len(rows)
    counts["knowledge_base"] = counts.get("knowledge_base", 0) + articles
    counts["knowledge_passages"] = counts.get("knowledge_passages", 0) + passages


def _seed_conversations(session: Session, clock: Clock, members: list[Member], counts: dict[str, int]) -> None:
    rng = rng_for("chat")
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
