"""Pydantic shapes of the auth domain."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

LOCAL_AZURE_ID_PREFIX = "local:"  # users.azure_id of accounts not (yet) linked to Entra ID


class Principal(BaseModel):
    """The signed-in user as services see them: who, and what they may do."""

    model_config = ConfigDict(frozen=True)

    id: int
    email: str
    first_name: str | None = None
    last_name: str | None = None
    is_active: bool = True
    roles: tuple[str, ...] = ()
    permissions: frozenset[str] = frozenset()

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.email

    @property
    def primary_role(self) -> str:
        return self.roles[0] if self.roles else "no role"

    def has(self, permission: str) -> bool:
        return permission in self.permissions


class LocalAccount(BaseModel):
    user_id: int
    username: str
    email: str
    first_name: str | None
    last_name: str | None
    password_hash: str
    is_active: bool
    roles: tuple[str, ...] = ()
