"""What the hand-off of a lead brings to the CRM, and what it became there."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class HandedLead(BaseModel):
    """The lead as the CRM needs it: who the person is and where they work."""

    id: int
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    job_title: str | None = None
    company_name: str | None = None


class HandoffDeal(BaseModel):
    """The deal to open for the lead (already checked by marketing: amount in cents, title that fits)."""

    title: str
    owner_id: int
    amount: Decimal | None = None
    stage_id: int | None = None  # None: the first open stage
    close_date: date | None = None


class HandoffRecords(BaseModel):
    """The CRM records the lead is now, and which of them this attempt created."""

    company_id: int
    contact_id: int
    deal_id: int | None = None
    deal_title: str | None = None
    deal_owner_id: int | None = None
    company_created: bool = False
    contact_created: bool = False
    deal_created: bool = False
