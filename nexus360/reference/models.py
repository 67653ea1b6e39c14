"""Reference data kept in the crm database: countries (ISO 3166) and industries."""

from __future__ import annotations

from sqlalchemy import CHAR, Boolean, Identity, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from nexus360.db.base import CrmBase


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
