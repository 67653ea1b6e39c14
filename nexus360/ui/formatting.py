"""Showing text on screen (money and percentages are in nexus360.common.money)."""

from __future__ import annotations

_MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$"


def escape_markdown(text: str | None) -> str:
    """Make user-written text safe to place inside st.markdown (no links, HTML or formatting)."""
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIALS else char for char in (text or ""))
