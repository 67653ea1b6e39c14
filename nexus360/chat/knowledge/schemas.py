"""Pydantic shapes of the knowledge base: articles, passages, search hits and the index status."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nexus360.chat.schemas import AUDIENCE_ROLES


class ArticleCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=255)
    content: str = Field(min_length=1, max_length=2_000_000)
    audience: list[str] = Field(default_factory=list)  # role names; empty = everyone
    source_name: str | None = Field(default=None, max_length=255)
    source_type: str | None = Field(default=None, max_length=20)

    @field_validator("audience")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        unknown = [role for role in value if role not in AUDIENCE_ROLES]
        if unknown:
            raise ValueError(f"Audience: unknown role {', '.join(unknown)}; use {', '.join(AUDIENCE_ROLES)}")
        return sorted(set(value))


class ArticleUpdate(ArticleCreate):
    pass


class ArticleRead(BaseModel):
    id: int
    title: str
    audience: list[str]
    source_name: str | None
    source_type: str | None
    passages: int
    stale_passages: int
    created_at: datetime | None
    updated_at: datetime | None


class ArticleDetail(ArticleRead):
    content: str


class PassageRead(BaseModel):
    """A passage as a citation shows it: its article, heading and text."""

    id: int
    article_id: int
    title: str
    heading: str
    content: str


class SearchHit(PassageRead):
    score: float
    text_rank: float | None = None
    similarity: float | None = None


class IndexStatus(BaseModel):
    articles: int
    passages: int
    stale_passages: int  # embedded with another model than the current one, or not at all
    unindexed_articles: int  # no passages yet (e.g. rows from before the passage split)
    model: str


class ReembedResult(BaseModel):
    articles_split: int
    passages_embedded: int
    model: str
