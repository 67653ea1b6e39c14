"""SQL helpers no domain owns: LIKE patterns that treat what a person typed as text."""

from __future__ import annotations

from typing import Any


def escape_like(text: str) -> str:
    """Escape LIKE's wildcards (and the escape character) so a typed % or _ matches itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, text: str) -> Any:
    """Case-insensitive "column contains text" (served by a trigram index where one exists)."""
    return column.ilike(f"%{escape_like(text)}%", escape="\\")
