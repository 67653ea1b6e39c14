"""The permission catalogue and the default role grants of DESIGN.md (editable by admins later)."""

from __future__ import annotations

ADMIN = "admin"
SALES_MANAGER = "sales_manager"
SALES_REP = "sales_rep"
MARKETER = "marketer"

ROLES: dict[str, str] = {
    ADMIN: "Manages users, roles, permissions, integrations and the knowledge base",
    SALES_MANAGER: "Leads a sales team: dashboards, forecasts, commission approvals",
    SALES_REP: "Works deals and checks their own commissions",
    MARKETER: "Runs campaigns, imports and qualifies leads, hands leads to sales",
}

PERMISSIONS: dict[str, str] = {
    "crm.read": "Read companies, contacts and deals",
    "crm.write": "Create and edit companies, contacts and own deals",
    "crm.manage": "Edit any deal, reassign owners, delete",
    "marketing.read": "Read campaigns and leads",
    "marketing.write": "Create and edit campaigns and leads",
    "commissions.read_own": "Read one's own commission statements",
    "commissions.read_all": "Read every rep's commission figures",
    "commissions.manage": "Manage commission rules, runs and approvals",
    "forecasts.read": "Read forecasts",
    "forecasts.manage": "Create and adjust forecasts",
    "notifications.manage": "Manage notification templates and broadcasts",
    "chat.use": "Use the AI chat assistant",
    "knowledge.manage": "Manage knowledge-base articles",
    "integrations.manage": "Manage integrations and read their logs",
    "admin.users": "Manage users, roles and permissions",
}

_ALL = list(PERMISSIONS)

DEFAULT_GRANTS: dict[str, list[str]] = {
    ADMIN: _ALL,
    SALES_MANAGER: [
        "crm.read", "crm.write", "crm.manage", "marketing.read", "commissions.read_own",
        "commissions.read_all", "commissions.manage", "forecasts.read", "forecasts.manage",
        "notifications.manage", "chat.use",
    ],
    SALES_REP: ["crm.read", "crm.write", "marketing.read", "commissions.read_own", "forecasts.read", "chat.use"],
    MARKETER: [
        "crm.read", "marketing.read", "marketing.write", "notifications.manage", "chat.use", "knowledge.manage",
    ],
}
