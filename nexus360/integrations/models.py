"""Integration database: configured connectors and their run log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import IntegrationBase, bigint_id, created_at, updated_at


class IntegrationConfig(IntegrationBase):
    __tablename__ = "integration_configs"

    id: Mapped[int] = bigint_id()
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    # Holds settings and *references* to secrets (e.g. "env:GRAPH_CLIENT_SECRET"), never secrets.
    config: Mapped[dict] = mapped_column(JSONB, nullable=False)
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class IntegrationLog(IntegrationBase):
    __tablename__ = "integration_logs"
    __table_args__ = (
        Index("idx_integration_logs_created", "created_at"),
        Index("idx_integration_logs_status", "status"),
    )

    id: Mapped[int] = bigint_id()
    integration_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("integration_configs.id"), nullable=False)
    event_type: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    payload: Mapped[dict | None] = mapped_column(JSONB)
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = created_at()
