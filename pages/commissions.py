"""Commissions (placeholder until its issue builds it)."""

from nexus360.ui import placeholder

placeholder.render(
    "Commissions",
    "Commission rules, period runs and approvals; each rep's own statement with the reason behind every figure.",
)
