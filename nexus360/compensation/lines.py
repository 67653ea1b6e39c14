"""Commission lines: each deal x rule x rate x amount (or tier, bonus, adjustment) behind a statement."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.compensation.models import CommissionRule, SalesPerformance
from nexus360.db.base import UTC_NOW, CompensationBase, bigint_id

__all__ = ["CommissionLine", "CommissionRule", "SalesPerformance"]

LINE_KINDS = ("deal", "tier", "bonus", "adjustment")


class CommissionLine(CompensationBase):
    __tablename__ = "commission_lines"
    __table_args__ = (Index("ix_commission_lines_performance_id", "performance_id"),)

    id: Mapped[int] = bigint_id()
    performance_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("sales_performance.id", ondelete="CASCADE"), nullable=False
    )
    deal_id: Mapped[int | None] = mapped_column(BigInteger)  # -> crm.deals.id (another database)
    rule_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("commission_rules.id"))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    basis: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(15, 2), nullable=False)
    explanation: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)
