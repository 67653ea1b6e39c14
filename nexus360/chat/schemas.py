"""Shapes shared by the chat's sub-packages: what an answer cites and the tools it ran."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nexus360.auth.schemas import ROLES

AUDIENCE_ROLES = tuple(ROLES)  # what an article's audience may name (empty: everyone)


class Citation(BaseModel):
    """A passage an answer used, as it read when the answer was written."""

    number: int  # the [n] in the answer
    passage_id: int
    article_id: int
    title: str
    heading: str = ""
    content: str


class ToolRun(BaseModel):
    """"How I got this": the tool, its parameters and the figures it returned (or why it refused)."""

    tool: str
    label: str  # what the tool does, in words
    parameters: dict[str, Any] = Field(default_factory=dict)
    summary: str = ""  # one sentence with the figures
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    refused: bool = False
    reason: str | None = None  # why it refused or found nothing
