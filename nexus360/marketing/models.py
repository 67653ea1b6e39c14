"""Marketing database: campaigns (with their edit history), the leads they bring in, and lead scoring rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import UTC_NOW, MarketingBase, bigint_id, created_at, updated_at

__all__ = ["Campaign", "CampaignChange", "Lead", "LeadScoringRule"]


class Campaign(MarketingBase):
    __tablename__ = "campaigns"
    __table_args__ = (Index("idx_campaigns_status", "status"),)

    id: Mapped[int] = bigint_id()
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class CampaignChange(MarketingBase):
    """One edit of a campaign: who, when, and {field: [old, new]} for the fields that changed."""

    __tablename__ = "campaign_changes"
    __table_args__ = (Index("ix_campaign_changes_campaign_id_changed_at", "campaign_id", "changed_at"),)

    id: Mapped[int] = bigint_id()
    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaigns.id"), nullable=False)
    changed_by: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


class Lead(MarketingBase):
    """A lead, with the contract's columns and those marketing_0002/0003 added (scoring, hand-off, size)."""

    __tablename__ = "leads"
    __table_args__ = (
        Index("idx_leads_email", "email"),
        Index("idx_leads_campaign", "campaign_id"),
        Index("ix_leads_created_at", "created_at"),
    )

    id: Mapped[int] = bigint_id()
    campaign_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("campaigns.id"))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(50))
    company_name: Mapped[str | None] = mapped_column(String(255))
    job_title: Mapped[str | None] = mapped_column(String(100))
    company_size: Mapped[int | None] = mapped_column(Integer)  # employees; NULL when unknown (never negative)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    score: Mapped[int | None] = mapped_column(Integer)
    score_reasons: Mapped[list[Any] | None] = mapped_column(JSONB)  # [[reason, points], ...]
    disqualified_reason: Mapped[str | None] = mapped_column(Text)
    # What the hand-off to sales made of the lead (-> crm companies, contacts, deals; checked by `check`).
    converted_company_id: Mapped[int | None] = mapped_column(BigInteger)
    converted_contact_id: Mapped[int | None] = mapped_column(BigInteger)
    converted_deal_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class LeadScoringRule(MarketingBase):
    __tablename__ = "lead_scoring_rules"
    __table_args__ = (Index("ix_lead_scoring_rules_kind", "kind"),)

    id: Mapped[int] = bigint_id()
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    value: Mapped[str] = mapped_column(String(255), nullable=False)
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()
