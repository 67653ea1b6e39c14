"""CRM database: companies, contacts, deals, the pipeline's stages, and the reference tables (countries, industries)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import UTC_NOW, CrmBase, bigint_id, created_at, updated_at

__all__ = ["Company", "Contact", "Country", "Deal", "DealStage", "DealStageChange", "Industry"]


class DealStage(CrmBase):
    __tablename__ = "deal_stages"

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    win_probability: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)
    is_won: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    is_lost: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    # The forecast category of a deal in this stage unless someone chose one for the deal (crm_0010).
    forecast_category: Mapped[str] = mapped_column(String(20), nullable=False, server_default=text("'pipeline'"))


class Company(CrmBase):
    __tablename__ = "companies"
    __table_args__ = (Index("idx_companies_name", "name"),)

    id: Mapped[int] = bigint_id()
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    domain: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(255))
    industry_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("industries.id"))
    country_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("countries.id"))
    annual_revenue: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class Contact(CrmBase):
    __tablename__ = "contacts"
    __table_args__ = (Index("idx_contacts_email", "email"),)

    id: Mapped[int] = bigint_id()
    company_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("companies.id"))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(50))
    job_title: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()


class Deal(CrmBase):
    __tablename__ = "deals"
    __table_args__ = (
        Index("idx_deals_company", "company_id"),
        Index("ix_deals_stage_id_close_date", "stage_id", "close_date"),
        Index("ix_deals_owner_id", "owner_id"),
    )

    id: Mapped[int] = bigint_id()
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"), nullable=False)
    contact_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("contacts.id"))
    stage_id: Mapped[int] = mapped_column(Integer, ForeignKey("deal_stages.id"), nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    close_date: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # -> auth.users.id (checked by services)
    created_at: Mapped[datetime | None] = created_at()
    updated_at: Mapped[datetime | None] = updated_at()
    # Derived from the stage by the trigger trg_deals_is_open (crm_0005); never set it yourself.
    is_open: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    # The marketing lead this deal was handed off from (crm_0006, unique): the hand-off's retry key.
    source_lead_id: Mapped[int | None] = mapped_column(BigInteger)
    # The forecast category its owner or a manager chose (crm_0010); NULL follows the stage's default,
    # and a stage change never touches it.
    forecast_category: Mapped[str | None] = mapped_column(String(20))
    forecast_category_set_by: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id
    forecast_category_set_at: Mapped[datetime | None] = mapped_column(DateTime)


class DealStageChange(CrmBase):
    """One move of a deal between stages (the first row of a deal has no from_stage)."""

    __tablename__ = "deal_stage_history"
    __table_args__ = (Index("ix_deal_stage_history_deal_id", "deal_id", "changed_at"),)

    id: Mapped[int] = bigint_id()
    deal_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("deals.id", ondelete="CASCADE"), nullable=False)
    from_stage_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("deal_stages.id"))
    to_stage_id: Mapped[int] = mapped_column(Integer, ForeignKey("deal_stages.id"), nullable=False)
    changed_by: Mapped[int | None] = mapped_column(BigInteger)  # -> auth.users.id
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=UTC_NOW)


class Country(CrmBase):
    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    iso_code_2: Mapped[str] = mapped_column(CHAR(2), nullable=False)
    iso_code_3: Mapped[str] = mapped_column(CHAR(3), nullable=False)
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=text("true"))


class Industry(CrmBase):
    __tablename__ = "industries"

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=text("true"))
