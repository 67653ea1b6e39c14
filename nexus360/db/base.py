"""The eight databases and one SQLAlchemy DeclarativeBase per database."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, MetaData, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UTC_NOW = text("timezone('utc', now())")


class Database(enum.StrEnum):
    AUTH = "auth"
    INTEGRATION = "integration"
    NOTIFICATIONS = "notifications"
    CRM = "crm"
    CHAT = "chat"
    COMPENSATION = "compensation"
    FORECASTING = "forecasting"
    MARKETING = "marketing"


def _metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class AuthBase(DeclarativeBase):
    metadata = _metadata()


class IntegrationBase(DeclarativeBase):
    metadata = _metadata()


class NotificationsBase(DeclarativeBase):
    metadata = _metadata()


class CrmBase(DeclarativeBase):
    metadata = _metadata()


class ChatBase(DeclarativeBase):
    metadata = _metadata()


class CompensationBase(DeclarativeBase):
    metadata = _metadata()


class ForecastingBase(DeclarativeBase):
    metadata = _metadata()


class MarketingBase(DeclarativeBase):
    metadata = _metadata()


BASES: dict[Database, type[DeclarativeBase]] = {
    Database.AUTH: AuthBase,
    Database.INTEGRATION: IntegrationBase,
    Database.NOTIFICATIONS: NotificationsBase,
    Database.CRM: CrmBase,
    Database.CHAT: ChatBase,
    Database.COMPENSATION: CompensationBase,
    Database.FORECASTING: ForecastingBase,
    Database.MARKETING: MarketingBase,
}


def bigint_id() -> Mapped[int]:
    return mapped_column(BigInteger, Identity(always=False), primary_key=True)


def created_at() -> Mapped[datetime]:
    return mapped_column(DateTime, server_default=UTC_NOW)


def updated_at() -> Mapped[datetime]:
    """Kept current by a trigger the migrations install."""
    return mapped_column(DateTime, server_default=UTC_NOW)
