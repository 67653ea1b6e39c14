"""Shapes of users as other domains and the Admin page read them."""

from __future__ import annotations

from typing import NamedTuple

from pydantic import BaseModel

# Roles as people read them (the role names are data; these four are seeded by auth_0001).
ROLE_LABELS = {
    "admin": "Administrator",
    "sales_manager": "Sales manager",
    "sales_rep": "Sales rep",
    "marketer": "Marketer",
}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())


class Person(NamedTuple):
    """A user as pickers and imports read them (unpacks as `user_id, name, email, is_active`)."""

    id: int
    name: str  # first and last name, else the email address
    email: str
    is_active: bool | None


class UserRead(BaseModel):
    """One row of the Admin page's user list."""

    id: int
    name: str
    email: str
    roles: list[str]
    is_active: bool
    local_username: str | None
