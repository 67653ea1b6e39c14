"""Marketing tables added by issue 5: campaign history and lead scoring rules.

The new lead columns (job_title, score_reasons, ...) are reached through `leads_table`, a table clause
over the same `leads` table, since the contract model in models.py stays as the schema document has it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, column, table, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import UTC_NOW, MarketingBase, bigint_id, created_at, updated_at
from nexus360.marketing.models import Campaign  # noqa: F401  (campaigns must be in the metadata for the FK)


class CampaignChange(MarketingBase):
    """One edit of a campaign: who, when, and {field: [old, new]} for the fields that changed."""

    __tablename__ = "campaign_changes"
    __table_args__ = (Index("ix_campaign_changes_campaign_id_changed_at", "campaign_id", "changed_at"),)

    id: Mapped[int] = bigint_id()
    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaigns.id"), nullable=False)
    changed_by: Mapped[int | None] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


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


# The whole leads table as a Core table clause, with the columns migrations marketing_0002/0003 added; the lead
# services read and write through it (models.Lead keeps the contract columns only).
leads_table = table(
    "leads",
    column("id", BigInteger),
    column("campaign_id", BigInteger),
    column("first_name", String(100)),
    column("last_name", String(100)),
    column("email", String(255)),
    column("phone", String(50)),
    column("company_name", String(255)),
    column("job_title", String(100)),
    column("company_size", Integer),  # employees; marketing_0003, NULL when unknown
    column("status", String(20)),
    column("score", Integer),
    column("score_reasons", JSONB),
    column("disqualified_reason", Text),
    column("converted_company_id", BigInteger),
    column("converted_contact_id", BigInteger),
    column("converted_deal_id", BigInteger),
    column("created_at", DateTime),
    column("updated_at", DateTime),
)
