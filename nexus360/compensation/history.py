"""ORM of the statement's history: status changes with their comments, and disputes on lines.

Both tables come from compensation_0004 and sit under row-level security: a rep reads only the rows of
their own statements; managers write events; a rep inserts disputes on their own lines only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import UTC_NOW, CompensationBase, bigint_id

DISPUTE_STATUSES = ("open", "accepted", "rejected")


class CommissionEvent(CompensationBase):
    __tablename__ = "commission_events"
    __table_args__ = (Index("ix_commission_events_performance_id", "performance_id"),)

    id: Mapped[int] = bigint_id()
    performance_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("sales_performance.id", ondelete="CASCADE"), nullable=False
    )
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)


class CommissionDispute(CompensationBase):
    __tablename__ = "commission_disputes"
    __table_args__ = (
        Index("ix_commission_disputes_performance_id", "performance_id"),
        Index("ix_commission_disputes_status", "status"),
    )

    id: Mapped[int] = bigint_id()
    performance_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("sales_performance.id", ondelete="CASCADE"), nullable=False
    )
    line_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("commission_lines.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # -> auth.users.id (the rep)
    comment: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="open")
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
