"""Chat database: conversations, messages (with their sources, tools and feedback) and the knowledge base.

`knowledge_base` holds one row per article (the contract's table, with its audience and source file
added); `knowledge_passages` holds the article split into passages that keep their heading, each
with its own embedding (and the model that made it) and a full-text vector. Search runs on passages.
"""

from __future__ import annotations

from datetime import datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    Computed,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.auth.schemas import ADMIN
from nexus360.chat.schemas import AUDIENCE_ROLES
from nexus360.db.base import ChatBase, bigint_id, created_at, updated_at

EMBEDDING_DIMENSIONS = 1536
SEARCH_VECTOR = (
    "setweight(to_tsvector('english', coalesce(title, '') || ' ' || coalesce(heading, '')), 'A') || "
    "setweight(to_tsvector('english', content), 'B')"
)


# The passages' vectors are indexed per reader (migration chat_0013): one HNSW graph per role of every
# passage that role may read (those for everyone and those restricted to it), and one of all passages for
# the administrators, who read everything. A search walks one graph, unfiltered, holding exactly what its
# asker may read (an asker with two roles walks two), not a graph whose neighbours an audience filter
# then throws away, nor several graphs whose nearest it merges (chat_0012's one index per audience: a
# manager walked the everyone graph and the managers' one, twice the work of one graph of both; README,
# "Measured"). pgvector's README ("Filtering") recommends partial indexes when a filter has few distinct
# values. A passage for everyone is in every graph: the price is index size and write time, paid for the
# search time. Each graph is over the passages' half-precision copy (chat_0010) with twice pgvector's
# default links (chat_0011), built with ef_construction 200 (chat_0013: at ef_search 150, 0.963 of the exact
# 10 nearest instead of 0.950 at 128, for the same search time).
ALL_PASSAGES = "all"  # the reader who may read every passage (an administrator)
READER_ROLES = tuple(role for role in AUDIENCE_ROLES if role != ADMIN)  # an administrator reads ALL_PASSAGES
VECTOR_READERS = (*READER_ROLES, ALL_PASSAGES)


def reader_condition(reader: str) -> str | None:
    """The SQL condition of the passages `reader`'s vector index holds (None: every passage). The searches
    repeat it literally, so the planner can prove that they may use the index; `reader` is ALL_PASSAGES or
    a role of the fixed set."""
    if reader == ALL_PASSAGES:
        return None
    if reader not in READER_ROLES or not reader.isidentifier():
        raise ValueError(f"no vector index for the reader {reader!r}")
    return f"(audience = '{{}}' OR audience && '{{{reader}}}')"


def _vector_index(reader: str) -> Index:
    condition = reader_condition(reader)
    return Index(f"ix_knowledge_passages_hnsw_read_by_{reader}",
                 text(f"(embedding::halfvec({EMBEDDING_DIMENSIONS})) halfvec_cosine_ops"),
                 postgresql_using="hnsw", postgresql_with={"m": 32, "ef_construction": 200},
                 **({"postgresql_where": text(condition)} if condition else {}))


VECTOR_INDEXES = {reader: _vector_index(reader) for reader in VECTOR_READERS}  # on KnowledgePassage


class Conversation(ChatBase):
    __tablename__ = "conversations"
    __table_args__ = (Index("idx_conversations_user", "user_id"),)

    id: Mapped[int] = bigint_id()
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # -> auth.users.id
    title: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class Message(ChatBase):
    __tablename__ = "messages"
    __table_args__ = (Index("idx_messages_conversation", "conversation_id"),)

    id: Mapped[int] = bigint_id()
    conversation_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("conversations.id"), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    tokens: Mapped[int | None] = mapped_column(Integer)  # of this message's text
    created_at: Mapped[datetime | None] = created_at()
    # What the model read to write an answer (instructions, history, sources, tool results).
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    tokens_estimated: Mapped[bool] = mapped_column(server_default=text("false"))
    model: Mapped[str | None] = mapped_column(String(100))  # "offline" or the provider's model
    citations: Mapped[list | None] = mapped_column(JSONB)  # the passages the answer used
    tool_runs: Mapped[list | None] = mapped_column(JSONB)  # "how I got this": tool, parameters, figures


class MessageFeedback(ChatBase):
    __tablename__ = "message_feedback"

    id: Mapped[int] = bigint_id()
    message_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    rating: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 1 thumbs up, -1 thumbs down
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class KnowledgeArticle(ChatBase):
    __tablename__ = "knowledge_base"
    __table_args__ = (
        Index(
            "ix_knowledge_base_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[int] = bigint_id()
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS))  # title and opening
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()
    audience: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default=text("'{}'"))  # {} = everyone
    source_name: Mapped[str | None] = mapped_column(String(255))
    source_type: Mapped[str | None] = mapped_column(String(20))
    embedding_model: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)


class KnowledgePassage(ChatBase):
    __tablename__ = "knowledge_passages"
    __table_args__ = (
        Index("ix_knowledge_passages_article_id", "article_id", "position"),
        Index("ix_knowledge_passages_search", "search", postgresql_using="gin"),
        *VECTOR_INDEXES.values(),
    )

    id: Mapped[int] = bigint_id()
    article_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("knowledge_base.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(255), nullable=False)  # the article's, for search and citations
    heading: Mapped[str] = mapped_column(String(500), server_default=text("''"))
    content: Mapped[str] = mapped_column(Text, nullable=False)
    audience: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default=text("'{}'"))
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS))
    embedding_model: Mapped[str | None] = mapped_column(String(100))
    search = mapped_column(TSVECTOR, Computed(SEARCH_VECTOR, persisted=True))
    created_at: Mapped[datetime | None] = created_at()
