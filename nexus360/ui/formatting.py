"""How numbers read on screen."""

from __future__ import annotations

from decimal import Decimal


def money(value: float | Decimal | None, *, currency: str = "$") -> str:
    """Compact money: $1.2M, $350K, $900."""
    if value is None:
        return "–"
    amount = float(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= threshold:
            return f"{sign}{currency}{amount / threshold:.1f}{suffix}"
    return f"{sign}{currency}{amount:,.0f}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def change(current: float | Decimal, previous: float | Decimal) -> str | None:
    """Relative change for st.metric's delta, or None when there is nothing to compare with."""
    if not previous:
        return None
    return f"{(float(current) - float(previous)) / float(previous):+.0%} vs last quarter"


_MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$"


def escape_markdown(text: str | None) -> str:
    """Make user-written text safe to place inside st.markdown (no links, HTML or formatting)."""
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIALS else char for char in (text or ""))
