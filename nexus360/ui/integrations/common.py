"""What the Integrations views share: times, durations and states as people read them."""

from __future__ import annotations

from datetime import datetime

from nexus360.common.clock import SYSTEM_CLOCK

STATE_LOOK = {  # state -> (label, badge color, icon)
    "healthy": ("Healthy", "green", ":material/check_circle:"),
    "degraded": ("Degraded", "orange", ":material/warning:"),
    "failing": ("Failing", "red", ":material/error:"),
    "disabled": ("Switched off", "gray", ":material/pause_circle:"),
}
STATUS_LABELS = {"success": "Succeeded", "partial": "Partly succeeded", "failed": "Failed", "error": "Failed"}


def when(moment: datetime | None, *, never: str = "never") -> str:
    """'3 min ago', '5 h ago', or the date and time (UTC) for older moments."""
    if moment is None:
        return never
    seconds = (SYSTEM_CLOCK.now() - moment).total_seconds()
    if seconds < 0:
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    if seconds < 90:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 36 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def duration(ms: int | None) -> str:
    if ms is None:
        return "—"
    return f"{ms:,} ms" if ms < 1_000 else f"{ms / 1000:,.1f} s"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}" if rate < 0.995 or rate == 1 else f"{rate:.1%}"
