"""Pydantic shapes of the integrations domain."""

from __future__ import annotations

from pydantic import BaseModel


class SyncResult(BaseModel):
    """One directory sync run: what it did to the users, and the problems it met (one line each)."""

    status: str = "success"  # success | partial | error
    mode: str = "full"  # full (every user listed) | changes (Graph's delta since the last run)
    users_seen: int = 0
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    role_changes: int = 0
    listing_complete: bool = False
    errors: list[str] = []

    def counts(self) -> dict[str, int]:
        return self.model_dump(include={"users_seen", "created", "updated", "deactivated", "unchanged", "role_changes"})
