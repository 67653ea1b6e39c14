"""Every query of the knowledge base: articles, passages, the two searches and the index counts.

The audience filter is part of the SQL of every search and every passage read: a passage is returned
only when its audience is empty (everyone) or shares a role with the asker, unless `everything`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import TextClause, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex

from nexus360.chat.models import (
    ALL_PASSAGES,
    EMBEDDING_DIMENSIONS,
    READER_ROLES,
    VECTOR_INDEXES,
    KnowledgeArticle,
    KnowledgePassage,
    reader_condition,
)
from nexus360.common.sql import contains

AUDIENCE = "(p.audience = '{}' OR p.audience && CAST(:roles AS varchar[]) OR :everything)"

# The question's words, stemmed by PostgreSQL itself so they meet the passages' lexemes, searched in two
# tiers so that the cost does not grow with common words: first the passages holding every word; only
# when fewer than `limit` do, those sharing a pair of them (with three or more words; else any one).
# Each tier takes at most TEXT_CANDIDATES passages from the GIN index before ts_rank reads them: at
# 100,000 passages one pair of common words matched tens of thousands, and ranking them all took a
# second. Both tiers are ranked with the loose query, so a rank means what it meant before the tiers.
# Quotes and backslashes are dropped from each lexeme, so no question can change the query's syntax.
TEXT_CANDIDATES = 400
TEXT_SEARCH = text(f"""
WITH words AS (
    SELECT DISTINCT replace(replace(lexeme, '''', ''), '\\', '') AS word
    FROM unnest(tsvector_to_array(to_tsvector('english', :question))) AS lexeme
), q AS (
    SELECT to_tsquery('english', coalesce((SELECT string_agg('''' || word || '''', ' & ') FROM words
                                           WHERE word <> ''), '')) AS every_word,
           to_tsquery('english', coalesce(CASE WHEN (SELECT count(*) FROM words WHERE word <> '') >= 3
        THEN (SELECT string_agg('(''' || a.word || ''' & ''' || b.word || ''')', ' | ')
              FROM words a JOIN words b ON a.word < b.word WHERE a.word <> '' AND b.word <> '')
        ELSE (SELECT string_agg('''' || word || '''', ' | ') FROM words WHERE word <> '') END, '')) AS query
), strict AS MATERIALIZED (
    SELECT p.id, p.search FROM knowledge_passages p, q
    WHERE p.search @@ q.every_word AND {AUDIENCE}
    LIMIT {TEXT_CANDIDATES}
), loose AS MATERIALIZED (
    SELECT p.id, p.search FROM knowledge_passages p, q
    WHERE (SELECT count(*) FROM strict) < :limit AND p.search @@ q.query AND {AUDIENCE}
    LIMIT {TEXT_CANDIDATES}
), candidates AS (
    SELECT id, search FROM strict
    UNION ALL
    SELECT id, search FROM loose WHERE id NOT IN (SELECT id FROM strict)
)
SELECT c.id, ts_rank(c.search, q.query, 1) AS rank
FROM candidates c, q
ORDER BY rank DESC, c.id
LIMIT :limit
""")

# The passages' vectors are searched through HNSW indexes over their half-precision copy
# (`embedding::halfvec`, chat_0010): half the bytes of the float index, with distances that differ from
# the full ones by less than 0.001 (recall@10 against the exact float search is measured by `bench
# assistant`). The query's expression must be the indexes', cast for cast. There is one index per reader
# (models.VECTOR_READERS, migration chat_0013): the passages a role may read, and all of them for an
# administrator. The search is an unfiltered nearest-neighbour search in the index of each of the asker's
# roles (one, for almost everyone), merged by distance when there are two. Each branch states its
# index's condition literally (models.reader_condition), so the planner proves the partial index applies
# whatever the bound values, and keeps the audience filter as well: an asker with no role of the catalogue
# searches the index of all passages through that filter. Iterative index scans (pgvector 0.8) keep looking
# when a filter drops neighbours (passages another model embedded, or not the asker's).
# ef_search is set per search (service.EF_SEARCH).
HALFVEC = f"halfvec({EMBEDDING_DIMENSIONS})"
_DISTANCE = f"p.embedding::{HALFVEC} <=> CAST(:vector AS {HALFVEC})"


def vector_index_ddl(readers: Sequence[str] = tuple(VECTOR_INDEXES)) -> list[str]:
    """CREATE INDEX statements of the passages' vector indexes (the migration's and the benchmark's)."""
    return [str(CreateIndex(VECTOR_INDEXES[reader]).compile(dialect=postgresql.dialect())) for reader in readers]


def vector_readers(roles: Sequence[str], everything: bool) -> tuple[str, ...]:
    """The vector indexes a search reads: its asker's roles' (all passages', for everything or no role)."""
    mine = () if everything else tuple(role for role in READER_ROLES if role in roles)
    return mine or (ALL_PASSAGES,)


@functools.cache
def vector_search_sql(readers: tuple[str, ...]) -> TextClause:
    """The nearest passages in the vector indexes of `readers`, merged (a passage may be in two)."""
    branches = "\n    UNION ALL\n".join(f"""    (SELECT p.id, {_DISTANCE} AS distance FROM knowledge_passages p
     WHERE {reader_condition(reader) or 'true'} AND p.embedding_model = :model AND {AUDIENCE}
     ORDER BY distance LIMIT :limit)""" for reader in readers)
    return text(f"""
WITH nearest AS MATERIALIZED (
{branches}
)
SELECT id, 1 - min(distance) AS similarity FROM nearest GROUP BY id ORDER BY min(distance), id LIMIT :limit
""")


# The exact search in full precision, without an index: what the benchmark measures recall against.
EXACT_VECTOR_SEARCH = text(f"""
SELECT p.id, 1 - (p.embedding <=> CAST(:vector AS vector)) AS similarity
FROM knowledge_passages p
WHERE p.embedding_model = :model AND {AUDIENCE}
ORDER BY p.embedding <=> CAST(:vector AS vector), p.id
LIMIT :limit
""")


def configure_vector_search(session: Session, *, ef_search: int) -> None:
    """Transaction-local settings of the next vector search."""
    session.execute(text("SELECT set_config('hnsw.ef_search', :ef, true), "
                         "set_config('hnsw.iterative_scan', 'relaxed_order', true)"), {"ef": str(ef_search)})


def text_search(session: Session, *, question: str, roles: Sequence[str], everything: bool,
                limit: int) -> list[tuple[int, float]]:
    rows = session.execute(TEXT_SEARCH, {"question": question, "roles": list(roles), "everything": everything,
                                         "limit": limit})
    return [(int(row.id), float(row.rank)) for row in rows]


def vector_search(session: Session, *, vector: str, model: str, roles: Sequence[str], everything: bool,
                  limit: int, exact: bool = False) -> list[tuple[int, float]]:
    """The nearest passages by cosine through the HNSW indexes (exact: every passage in full precision)."""
    statement = EXACT_VECTOR_SEARCH if exact else vector_search_sql(vector_readers(roles, everything))
    rows = session.execute(statement,
                           {"vector": vector, "model": model, "roles": list(roles), "everything": everything,
                            "limit": limit})
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
