"""Money, percentages and changes as people read them (screens, statements, notifications)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

Money = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]  # an amount as the databases store it

DASH = "–"  # what an unknown or empty figure shows, never "None"


def money(value: float | Decimal | None, *, currency: str = "$") -> str:
    """Compact money for tiles and charts: $1.2M, $350K, $900."""
    if value is None:
        return DASH
    amount = float(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= threshold:
            return f"{sign}{currency}{amount / threshold:.1f}{suffix}"
    return f"{sign}{currency}{amount:,.0f}"


def money_exact(value: float | Decimal | None, *, currency: str = "$") -> str:
    """Exact money for statements and messages: $1,234.50, $900 (no cents when they are zero)."""
    if value is None:
        return DASH
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency}{abs(amount):,.2f}".removesuffix(".00")


def percent(value: float | Decimal | None, *, digits: int = 0) -> str:
    """A ratio as a percentage: 0.256 -> '26%'."""
    return DASH if value is None else f"{float(value):.{digits}%}"


def change(current: float | Decimal, previous: float | Decimal, *, against: str = "previous period") -> str | None:
    """Relative change for a metric's delta ('+7% vs previous period'), or None with nothing to compare.

    A change that rounds to zero reads '0%', never '-0%'.
    """
    if not previous:
        return None
    ratio = (float(current) - float(previous)) / float(previous)
    text = f"{ratio:+.0%}"
    if text in ("+0%", "-0%"):
        text = "0%"
    return f"{text} vs {against}"
