"""The demo knowledge base: the articles a sales organisation keeps (policies, processes, product FAQs,
onboarding), read from the Markdown files in `demo/knowledge/`, some for sales managers only.

They are split into passages and embedded with the local method, exactly as `kb add` would, so the
assistant answers with citations on a fresh `make run` with no key configured.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from nexus360.auth.permissions import SALES_MANAGER
from nexus360.chat.client import LocalEmbedder
from nexus360.chat.knowledge.engine import read_document
from nexus360.chat.knowledge.schemas import ArticleCreate
from nexus360.chat.knowledge.service import passage_rows
from nexus360.chat.models import KnowledgeArticle, KnowledgePassage

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
