"""Pydantic shapes of conversations, messages and feedback."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nexus360.chat.schemas import Citation, ToolRun
from nexus360.common.text import clean_text

TITLE_MAX = 255


class ConversationRead(BaseModel):
    id: int
    title: str
    created_at: datetime | None
    updated_at: datetime | None


class ConversationRename(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=TITLE_MAX)

    _title = field_validator("title", mode="before")(clean_text)  # no control characters (PostgreSQL refuses NUL)


class MessageRead(BaseModel):
    id: int
    role: str
    content: str
    tokens: int | None
    prompt_tokens: int | None = None
    tokens_estimated: bool = False
    model: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    tool_runs: list[ToolRun] = Field(default_factory=list)
    created_at: datetime | None = None
    rating: int | None = None  # 1 thumbs up, -1 thumbs down
    comment: str | None = None


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    rating: int = Field(ge=-1, le=1)
    comment: str | None = Field(default=None, max_length=2000)


class AssistantMessageCreate(BaseModel):
    """An answer as the assistant saves it."""

    content: str
    tokens: int
    prompt_tokens: int | None = None
    tokens_estimated: bool = False
    model: str
    citations: list[Citation] = Field(default_factory=list)
    tool_runs: list[ToolRun] = Field(default_factory=list)
