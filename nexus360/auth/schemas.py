"""Shapes of the auth domain: the principal services act for, local accounts, and the catalogue of roles and
permissions with the default grants of DESIGN.md (seeded by auth_0001; admins edit the grants later)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

LOCAL_AZURE_ID_PREFIX = "local:"  # users.azure_id of accounts not (yet) linked to Entra ID


class Principal(BaseModel):
    """The signed-in user as services see them: who, and what they may do."""

    model_config = ConfigDict(frozen=True)

    id: int
    email: str
    first_name: str | None = None
    last_name: str | None = None
    is_active: bool = True
    roles: tuple[str, ...] = ()
    permissions: frozenset[str] = frozenset()
    access_version: int = 0  # users.access_version when this was read: a newer one means read it again

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.email

    @property
    def primary_role(self) -> str:
        return self.roles[0] if self.roles else "no role"

    def has(self, permission: str) -> bool:
        return permission in self.permissions


# --- the catalogue -------------------------------------------------------------------------------------

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
