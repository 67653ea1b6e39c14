"""Pydantic shapes of message templates: what the editor lists, reads, saves and previews."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class VariableRead(BaseModel):
    path: str
    description: str
    sample: str


class TemplateSummary(BaseModel):
    type: str
    label: str
    subject: str
    critical: bool
    customised: bool  # edited by someone (else the seeded default)
    updated_at: datetime | None = None


class TemplateRead(TemplateSummary):
    description: str
    body: str
    default_subject: str
    default_body: str
    variables: list[VariableRead]
    updated_by: int | None = None


class Preview(BaseModel):
    """A template rendered on its type's sample, or the problem that stops it (with the line)."""

    subject: str = ""
    text: str = ""
    html: str = ""
    problem: str | None = None
