"""Integration database: configured connectors, their run log (one row per attempt) and their health state.

The job queue of the worker lives in this database too; its table is the jobs domain's (nexus360.jobs.models).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import UTC_NOW, IntegrationBase, bigint_id, created_at, updated_at


class IntegrationConfig(IntegrationBase):
    __tablename__ = "integration_configs"

    id: Mapped[int] = bigint_id()
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    # Settings and *references* to secrets ("env:NAME", "secrets:key") or secrets encrypted with a key kept
    # outside the database ("enc:v1:…"); never a secret in clear text (integrations.connectors.engine).
    config: Mapped[dict] = mapped_column(JSONB, nullable=False)
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class IntegrationLog(IntegrationBase):
    __tablename__ = "integration_logs"
    __table_args__ = (
        Index("idx_integration_logs_created", "created_at"),
        Index("idx_integration_logs_status", "status"),
        Index("ix_integration_logs_integration_time", "integration_id", "created_at", "id",
              postgresql_include=["status", "duration_ms"]),
        Index("ix_integration_logs_status_time", "status", "created_at", "id"),
        Index("ix_integration_logs_event_time", "event_type", "created_at", "id"),
        Index("ix_integration_logs_integration_status_time", "integration_id", "status", "created_at", "id"),
    )

    id: Mapped[int] = bigint_id()
    integration_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("integration_configs.id"), nullable=False)
    event_type: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    payload: Mapped[dict | None] = mapped_column(JSONB)
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = created_at()
    attempt: Mapped[int | None] = mapped_column(SmallInteger)
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[str | None] = mapped_column(String(64))
    response_excerpt: Mapped[str | None] = mapped_column(String(500))


class IntegrationLogHour(IntegrationBase):
    """One connector's runs in one hour: counts and a duration histogram (the health tiles read these)."""

    __tablename__ = "integration_log_hours"

    integration_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("integration_configs.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    runs: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    ok: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    durations: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)


class IntegrationState(IntegrationBase):
    """What the health tiles and the scheduler need without scanning the log."""

    __tablename__ = "integration_states"

    integration_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("integration_configs.id", ondelete="CASCADE"), primary_key=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    streak_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    failing_notified_at: Mapped[datetime | None] = mapped_column(DateTime)
    cursor: Mapped[str | None] = mapped_column(Text)  # a sync's resume point (Microsoft Graph's deltaLink)
    cursor_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, server_default=UTC_NOW)
