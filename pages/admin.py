"""Admin (placeholder until its issue builds it)."""

from nexus360.ui import placeholder

placeholder.render(
    "Admin",
    "Users, roles and the permission matrix, the audit log and the directory sync.",
)
