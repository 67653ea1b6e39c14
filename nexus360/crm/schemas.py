"""Pydantic shapes of the CRM domain: what comes in (Create/Update) and what goes out (Read)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nexus360.common.money import Money
from nexus360.common.text import clean_text, normalise_domain, normalise_email

Name = Annotated[str, Field(min_length=1, max_length=255)]


class InputModel(BaseModel):
    """What comes in from forms and imports: trimmed, no unknown fields."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class CompanyCreate(InputModel):
    name: Name
    domain: str | None = None
    website: str | None = Field(default=None, max_length=255)
    industry_id: int | None = None
    country_id: int | None = None
    annual_revenue: Money | None = None

    _name = field_validator("name", mode="before")(clean_text)
    _domain = field_validator("domain", mode="before")(normalise_domain)
    _website = field_validator("website", mode="before")(clean_text)


class CompanyUpdate(CompanyCreate):
    pass


class ContactCreate(InputModel):
    company_id: int | None = None
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: str = Field(max_length=255)
    phone: str | None = Field(default=None, max_length=50)
    job_title: str | None = Field(default=None, max_length=100)

    _email = field_validator("email", mode="before")(normalise_email)
    _texts = field_validator("first_name", "last_name", "phone", "job_title", mode="before")(clean_text)


class ContactUpdate(ContactCreate):
    pass


class ReadModel(BaseModel):
    """What goes out: read from ORM rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


class CompanyRead(ReadModel):
    id: int
    name: str
    domain: str | None
    website: str | None
    industry_id: int | None
    country_id: int | None
    annual_revenue: Decimal | None


class ContactRead(ReadModel):
    id: int
    company_id: int | None
    first_name: str | None
    last_name: str | None
    email: str
    phone: str | None
    job_title: str | None

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.email


class PipelineSummary(BaseModel):
    """Headline figures for the Home page, all computed in SQL."""

    open_pipeline: Decimal
    open_deals: int
    won_this_quarter: Decimal
    won_last_quarter: Decimal
    win_rate: float | None  # won / (won + lost) over the last twelve months; None without closed deals
    quarter_label: str
