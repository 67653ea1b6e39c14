"""The job queue (integration database) and the event outbox (each database whose changes emit events).

`jobs` holds every piece of background work: one-off jobs (a webhook delivery, a notice to admins) and
recurring ones (a schedule: the row is run, then put back with `run_at` one interval later). A worker
claims due rows with `FOR UPDATE SKIP LOCKED` and holds them under a lease (`locked_until`, `lock_token`):
a worker that dies leaves its rows to be claimed again once the lease has expired.

`event_outbox` has the same shape in every database that emits events (crm, marketing, compensation,
forecasting): a service writes its row in the transaction of the change itself, so the event exists
exactly when the change does. It is a plain `Table` on its own metadata, as it belongs to no one
database; the migrations create it in each.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import UTC_NOW, IntegrationBase, bigint_id, created_at, updated_at

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"


class Job(IntegrationBase):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_due", "run_at", postgresql_where=text("status IN ('queued', 'running')")),
        Index("ix_jobs_kind_status", "kind", "status", "created_at"),
    )

    id: Mapped[int] = bigint_id()
    kind: Mapped[str] = mapped_column(String(50), nullable=False)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)  # idempotency: one job per key
    payload: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default=text("'queued'"))
    run_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)
    interval_seconds: Mapped[int | None] = mapped_column(Integer)  # set: a recurring job (a schedule)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    locked_by: Mapped[str | None] = mapped_column(String(100))
    lock_token: Mapped[str | None] = mapped_column(String(40))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


outbox_metadata = MetaData()

event_outbox = Table(
    "event_outbox",
    outbox_metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("event_id", String(40), nullable=False, unique=True),  # the webhook-id receivers deduplicate on
    Column("event_type", String(50), nullable=False),
    Column("data", JSONB, nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("dispatched_at", DateTime),
)
