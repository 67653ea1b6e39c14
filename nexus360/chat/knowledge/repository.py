"""Every query of the knowledge base: articles, passages, the two searches and the index counts.

The audience filter is part of the SQL of every search and every passage read: a passage is returned
only when its audience is empty (everyone) or shares a role with the asker, unless `everything`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from nexus360.chat.models import KnowledgeArticle, KnowledgePassage
from nexus360.common.sql import contains

AUDIENCE = "(p.audience = '{}' OR p.audience && CAST(:roles AS varchar[]) OR :everything)"

# The question's words, stemmed by PostgreSQL itself so they meet the passages' lexemes. With three or
# more words a passage must share at least two of them (any pair, OR-ed): one common word alone would
# make nearly every passage a candidate to rank at scale. Ranking rewards passages with more of them.
# Quotes and backslashes are dropped from each lexeme, so no question can change the query's syntax.
TEXT_SEARCH = text(f"""
WITH words AS (
    SELECT DISTINCT replace(replace(lexeme, '''', ''), '\\', '') AS word
    FROM unnest(tsvector_to_array(to_tsvector('english', :question))) AS lexeme
), q AS (
    SELECT to_tsquery('english', coalesce(CASE WHEN (SELECT count(*) FROM words WHERE word <> '') >= 3
        THEN (SELECT string_agg('(''' || a.word || ''' & ''' || b.word || ''')', ' | ')
              FROM words a JOIN words b ON a.word < b.word WHERE a.word <> '' AND b.word <> '')
        ELSE (SELECT string_agg('''' || word || '''', ' | ') FROM words WHERE word <> '') END, '')) AS query
)
SELECT p.id, ts_rank(p.search, q.query, 1) AS rank
FROM knowledge_passages p, q
WHERE p.search @@ q.query AND {AUDIENCE}
ORDER BY rank DESC, p.id
LIMIT :limit
""")

# Iterative index scans (pgvector 0.8) keep looking when the audience or model filter drops
# neighbours, so a filtered search still returns `limit` rows; the outer ORDER BY re-sorts the
# relaxed order. `ef_search` trades speed for recall (measured by `bench assistant`).
VECTOR_SEARCH = text(f"""
WITH nearest AS MATERIALIZED (
    SELECT p.id, p.embedding <=> CAST(:vector AS vector) AS distance
    FROM knowledge_passages p
    WHERE p.embedding_model = :model AND {AUDIENCE}
    ORDER BY distance
    LIMIT :limit
)
SELECT id, 1 - distance AS similarity FROM nearest ORDER BY distance, id
""")


def configure_vector_search(session: Session, *, ef_search: int, exact: bool = False) -> None:
    """Transaction-local settings of the next vector search (exact: no index, for measuring recall)."""
    session.execute(text("SELECT set_config('hnsw.ef_search', :ef, true), "
                         "set_config('hnsw.iterative_scan', 'relaxed_order', true), "
                         "set_config('enable_indexscan', :index, true)"),
                    {"ef": str(ef_search), "index": "off" if exact else "on"})


def text_search(session: Session, *, question: str, roles: Sequence[str], everything: bool,
                limit: int) -> list[tuple[int, float]]:
    rows = session.execute(TEXT_SEARCH, {"question": question, "roles": list(roles), "everything": everything,
                                         "limit": limit})
    return [(int(row.id), float(row.rank)) for row in rows]


def vector_search(session: Session, *, vector: str, model: str, roles: Sequence[str], everything: bool,
                  limit: int) -> list[tuple[int, float]]:
    rows = session.execute(VECTOR_SEARCH, {"vector": vector, "model": model, "roles": list(roles),
                                           "everything": everything, "limit": limit})
    return [(int(row.id), float(row.similarity)) for row in rows]


def get_passages(session: Session, passage_ids: Sequence[int], *, roles: Sequence[str],
                 everything: bool) -> dict[int, dict]:
    """The passages (and their article's title) the asker may read, by id."""
    if not passage_ids:
        return {}
    rows = session.execute(text(f"""
        SELECT p.id, p.article_id, p.title, p.heading, p.content FROM knowledge_passages p
        WHERE p.id = ANY(CAST(:ids AS bigint[])) AND {AUDIENCE}
    """), {"ids": [int(i) for i in passage_ids], "roles": list(roles), "everything": everything})
    return {int(row.id): dict(row._mapping) for row in rows}


# --- articles --------------------------------------------------------------------------------------


def insert_article(session: Session, values: dict) -> int:
    return int(session.execute(insert(KnowledgeArticle).values(**values).returning(KnowledgeArticle.id)).scalar_one())


def update_article(session: Session, article_id: int, values: dict) -> None:
    session.execute(update(KnowledgeArticle).where(KnowledgeArticle.id == article_id).values(**values))


def delete_article(session: Session, article_id: int) -> bool:
    return bool(session.execute(delete(KnowledgeArticle).where(KnowledgeArticle.id == article_id)).rowcount)


def get_article(session: Session, article_id: int) -> KnowledgeArticle | None:
    return session.get(KnowledgeArticle, article_id)


def find_article_by_title(session: Session, title: str) -> int | None:
    return session.scalar(select(KnowledgeArticle.id).where(func.lower(KnowledgeArticle.title) == title.lower())
                          .order_by(KnowledgeArticle.id).limit(1))


def list_articles(session: Session, *, search: str, model: str, limit: int) -> list[dict]:
    """Articles by title with their passage counts and how many passages another model embedded."""
    passages = (
        select(KnowledgePassage.article_id,
               func.count().label("passages"),
               func.count().filter(KnowledgePassage.embedding_model.is_distinct_from(model)).label("stale"))
        .group_by(KnowledgePassage.article_id).subquery()
    )
    statement = (
        select(KnowledgeArticle.id, KnowledgeArticle.title, KnowledgeArticle.audience,
               KnowledgeArticle.source_name, KnowledgeArticle.source_type, KnowledgeArticle.created_at,
               KnowledgeArticle.updated_at, func.coalesce(passages.c.passages, 0).label("passages"),
               func.coalesce(passages.c.stale, 0).label("stale_passages"))
        .outerjoin(passages, passages.c.article_id == KnowledgeArticle.id)
        .order_by(func.lower(KnowledgeArticle.title), KnowledgeArticle.id)
        .limit(limit)
    )
    if search.strip():
        statement = statement.where(contains(KnowledgeArticle.title, search.strip()))
    return [dict(row._mapping) for row in session.execute(statement)]


# --- passages --------------------------------------------------------------------------------------


def replace_passages(session: Session, article_id: int, rows: list[dict]) -> None:
    session.execute(delete(KnowledgePassage).where(KnowledgePassage.article_id == article_id))
    if rows:
        session.execute(insert(KnowledgePassage), [{"article_id": article_id, **row} for row in rows])


def set_passage_audience(session: Session, article_id: int, audience: list[str]) -> None:
    session.execute(update(KnowledgePassage).where(KnowledgePassage.article_id == article_id)
                    .values(audience=audience))


def stale_passages(session: Session, *, model: str, limit: int) -> list[tuple[int, str]]:
    """(id, text to embed) of passages not embedded with `model`, oldest first."""
    rows = session.execute(
        select(KnowledgePassage.id, KnowledgePassage.title, KnowledgePassage.heading, KnowledgePassage.content)
        .where(KnowledgePassage.embedding_model.is_distinct_from(model))
        .order_by(KnowledgePassage.id).limit(limit)
    )
    return [(row.id, "\n".join(part for part in (row.title, row.heading, row.content) if part)) for row in rows]


def set_embeddings(session: Session, embedded: list[tuple[int, str]], *, model: str) -> None:
    """Store (passage id, vector text) pairs made by `model`."""
    if embedded:
        session.execute(text("UPDATE knowledge_passages SET embedding = CAST(:vector AS vector), "
                             "embedding_model = :model WHERE id = :id"),
                        [{"id": passage_id, "vector": vector, "model": model} for passage_id, vector in embedded])


def unindexed_articles(session: Session, *, limit: int) -> list[KnowledgeArticle]:
    """Articles without any passage (rows from before the passage split, or imported by SQL)."""
    has_passages = select(KnowledgePassage.id).where(KnowledgePassage.article_id == KnowledgeArticle.id).exists()
    return list(session.scalars(select(KnowledgeArticle).where(~has_passages).order_by(KnowledgeArticle.id)
                                .limit(limit)))


def counts(session: Session, *, model: str) -> dict[str, int]:
    row = session.execute(text("""
        SELECT (SELECT count(*) FROM knowledge_base) AS articles,
               (SELECT count(*) FROM knowledge_passages) AS passages,
               (SELECT count(*) FROM knowledge_passages WHERE embedding_model IS DISTINCT FROM :model) AS stale,
               (SELECT count(*) FROM knowledge_base a
                 WHERE NOT EXISTS (SELECT 1 FROM knowledge_passages p WHERE p.article_id = a.id)) AS unindexed
    """), {"model": model}).one()
    return {"articles": row.articles, "passages": row.passages, "stale_passages": row.stale,
            "unindexed_articles": row.unindexed}
