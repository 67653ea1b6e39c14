"""Pydantic shapes of the marketing domain, and the words its records use.

What comes in (…Create/…Update, checked field by field), what goes out (…Read), the ROI report's filters and
rows, the hand-off's request and result, and the vocabulary they check against (campaign types and statuses,
lead statuses, scoring rule kinds, company-size bands).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nexus360.common.money import Money
from nexus360.common.text import clean_text, normalise_email

CAMPAIGN_TYPES = ("webinar", "email", "event", "paid_search", "content", "social", "other")
CAMPAIGN_STATUSES = ("planned", "active", "paused", "completed", "cancelled")
CAMPAIGN_NAME_MAX = 255  # campaigns.name is VARCHAR(255)
LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "disqualified")
COMPANY_SIZE_MESSAGE = "Company size must be a whole number of employees, 0 or more."
MAX_COMPANY_SIZE = 10_000_000  # more than any employer has; keeps typos like 12000000000 out of an INTEGER column


def clean_company_size(value: Any) -> int | None:
    """Employees as a whole number ≥ 0; blank is None. "1,200" and " 350 " are accepted, "lots" and -3 are not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(COMPANY_SIZE_MESSAGE)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", compact := re.sub(r"\s", "", value)):
        number = int(compact.replace(",", ""))
    else:
        raise ValueError(COMPANY_SIZE_MESSAGE)
    if number < 0:
        raise ValueError(COMPANY_SIZE_MESSAGE)
    if number > MAX_COMPANY_SIZE:
        raise ValueError(f"Company size must be at most {MAX_COMPANY_SIZE:,} employees.")
    return number



# --- campaigns ---------------------------------------------------------------------------------------


def _one_of(choices: tuple[str, ...], what: str):
    def check(value: Any) -> Any:
        cleaned = clean_text(value)
        if cleaned is None:
            raise ValueError(f"{what} is required")
        cleaned = cleaned.lower()
        if cleaned not in choices:
            raise ValueError(f"{what} must be one of: {', '.join(choices)}")
        return cleaned

    return check


class CampaignCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=CAMPAIGN_NAME_MAX)
    type: str
    status: str = "planned"
    start_date: date | None = None
    end_date: date | None = None
    budget: Money | None = None

    _name = field_validator("name", mode="before")(clean_text)
    _type = field_validator("type", mode="before")(_one_of(CAMPAIGN_TYPES, "Type"))
    _status = field_validator("status", mode="before")(_one_of(CAMPAIGN_STATUSES, "Status"))

    @model_validator(mode="after")
    def _dates_in_order(self) -> CampaignCreate:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("End date must be on or after the start date")
        return self


class CampaignUpdate(CampaignCreate):
    pass


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    type: str
    status: str
    start_date: date | None
    end_date: date | None
    budget: Decimal | None


class CampaignChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    changed_at: datetime
    changed_by: int | None
    changes: dict[str, list[Any]]  # field -> [old, new], as JSON text values



# --- leads -------------------------------------------------------------------------------------------


class LeadCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    email: str = Field(max_length=255)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=50)
    company_name: str | None = Field(default=None, max_length=255)
    job_title: str | None = Field(default=None, max_length=100)
    company_size: int | None = None  # employees
    campaign_id: int | None = None

    _company_size = field_validator("company_size", mode="before")(clean_company_size)
    _email = field_validator("email", mode="before")(normalise_email)
    _texts = field_validator("first_name", "last_name", "phone", "company_name", "job_title", mode="before")(clean_text)


class LeadUpdate(LeadCreate):
    pass


class LeadRead(BaseModel):
    id: int
    email: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    company_name: str | None
    job_title: str | None
    company_size: int | None = None
    campaign_id: int | None
    status: str
    score: int | None
    score_reasons: list[tuple[str, int]] | None
    disqualified_reason: str | None
    converted_company_id: int | None
    converted_contact_id: int | None
    converted_deal_id: int | None
    created_at: datetime | None

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.email


class LeadCreated(BaseModel):
    """The new lead and the leads that already used its email (for a warning on the page)."""

    lead: LeadRead
    duplicates: list[LeadRead]



# --- lead scoring ------------------------------------------------------------------------------------

RULE_KINDS = (
    "title_keyword", "email_domain", "company_name_keyword", "company_size", "campaign_type", "completeness", "recency",
)
RULE_VALUE_MAX = 255  # lead_scoring_rules.value is VARCHAR(255)
COMPLETENESS_FIELDS = ("first_name", "last_name", "phone", "company_name", "job_title", "company_size")
BAND_HINT = "like 200-999 (200 to 999 employees), 1000+ (1,000 or more) or <50 (fewer than 50)"
_RANGE = re.compile(r"(\d+)[-–](\d+)")
_AT_LEAST = re.compile(r"(\d+)\+")
_BELOW = re.compile(r"<(\d+)")


@dataclass(frozen=True)
class SizeBand:
    """A band of company sizes, in employees: low..high inclusive, or low and up when high is None."""

    low: int
    high: int | None

    def __contains__(self, size: object) -> bool:
        if not isinstance(size, int) or isinstance(size, bool):
            return False
        return self.low <= size and (self.high is None or size <= self.high)

    @property
    def text(self) -> str:
        """The band as stored: "200-999", "1000+" or "<50"."""
        if self.high is None:
            return f"{self.low}+"
        if self.low == 0:
            return f"<{self.high + 1}"
        return f"{self.low}-{self.high}"

    @property
    def words(self) -> str:
        """The band in plain words: "200 to 999 employees", "1,000 or more employees", "fewer than 50 employees"."""
        if self.high is None:
            return f"{self.low:,} or more employees"
        if self.low == 0:
            return f"fewer than {self.high + 1:,} employees"
        return f"{self.low:,} to {self.high:,} employees"


@lru_cache(maxsize=256)
def parse_size_band(value: str) -> SizeBand:
    """A band written "200-999", "1000+" or "<50" (spaces and thousands commas allowed); ValueError otherwise.

    Cached because re-scoring applies the same few rule values to every lead.
    """
    compact = re.sub(r"[\s,_]", "", str(value or ""))
    if match := _RANGE.fullmatch(compact):
        low, high = int(match[1]), int(match[2])
        if low > high:
            raise ValueError(
                f"In the company size band {value.strip()} the first number is larger than the second; "
                f"write the smaller number first, like {high}-{low}."
            )
        return SizeBand(low, high)
    if match := _AT_LEAST.fullmatch(compact):
        return SizeBand(int(match[1]), None)
    if match := _BELOW.fullmatch(compact):
        if int(match[1]) < 1:
            raise ValueError("The company size band <0 matches no company; the number after < must be 1 or more.")
        return SizeBand(0, int(match[1]) - 1)
    raise ValueError(f"A company size rule's value is a band of employees, {BAND_HINT}.")


class ScoringRuleInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    kind: str
    value: str = Field(min_length=1, max_length=RULE_VALUE_MAX)
    points: int = Field(ge=-100, le=100)
    is_active: bool = True

    _value = field_validator("value", mode="before")(lambda value: (clean_text(value) or "").lower())

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> str:
        cleaned = (clean_text(value) or "").lower()
        if cleaned not in RULE_KINDS:
            raise ValueError(f"Kind must be one of: {', '.join(RULE_KINDS)}")
        return cleaned

    @model_validator(mode="after")
    def _value_fits_kind(self) -> ScoringRuleInput:
        if self.kind == "completeness" and self.value not in COMPLETENESS_FIELDS:
            raise ValueError(f"A completeness rule names a lead field: {', '.join(COMPLETENESS_FIELDS)}")
        if self.kind == "recency" and (not self.value.isdigit() or int(self.value) < 1):
            raise ValueError("A recency rule's value is the number of days per point lost (a whole number ≥ 1)")
        if self.kind == "company_size":
            self.value = parse_size_band(self.value).text  # stored one way: " 1,000 + " becomes "1000+"
        return self


class ScoringRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    value: str
    points: int
    is_active: bool



# --- ROI -----------------------------------------------------------------------------------------------


class RoiFilters(BaseModel):
    """Leads created in [date_from, date_to]; campaigns overlapping that range; optional campaign types."""

    date_from: date | None = None
    date_to: date | None = None
    campaign_types: list[str] = Field(default_factory=list)


class CampaignRoi(BaseModel):
    """One campaign's figures; campaign_id None is the row of leads without a campaign, or the totals."""

    campaign_id: int | None
    name: str
    type: str | None = None
    status: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    budget: Decimal | None = None
    leads: int = 0
    qualified: int = 0  # leads that reached qualified: qualified or converted
    converted: int = 0
    qualification_rate: float | None = None  # 0..1
    conversion_rate: float | None = None  # 0..1
    cost_per_lead: Decimal | None = None
    cost_per_converted: Decimal | None = None
    pipeline_value: Decimal = Decimal("0")
    won_revenue: Decimal = Decimal("0")
    roi: float | None = None  # (won_revenue - budget) / budget


class RoiReport(BaseModel):
    campaigns: list[CampaignRoi]
    totals: CampaignRoi
    funnel: list[tuple[str, int]]  # Leads, Contacted, Qualified, Converted, Won



# --- the hand-off to sales ----------------------------------------------------------------------------


class ConversionRequest(BaseModel):
    """What the marketer asks for; checked by `convert_lead` (plain-word errors), not by the model."""

    model_config = ConfigDict(str_strip_whitespace=True)

    lead_id: int
    create_deal: bool = False
    deal_owner_id: int | None = None
    deal_name: str | None = None
    deal_amount: Decimal | None = None
    deal_stage_id: int | None = None  # None: the first open stage
    expected_close_date: date | None = None


class ConversionResult(BaseModel):
    lead_id: int
    company_id: int
    contact_id: int
    deal_id: int | None = None
    company_created: bool = False
    contact_created: bool = False
    deal_created: bool = False
    already_converted: bool = False


class CrmRecord(BaseModel):
    """One CRM record a lead became: its id and its name as the CRM has it now (None: no longer there)."""

    id: int
    name: str | None = None


class ConvertedRecords(BaseModel):
    """What a converted lead is in the CRM, by name."""

    company: CrmRecord
    contact: CrmRecord
    deal: CrmRecord | None = None
