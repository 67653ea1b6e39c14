"""The app's pages and who may open them (convenience only: services check permissions too)."""

from __future__ import annotations

from dataclasses import dataclass

from nexus360.auth.schemas import Principal
from nexus360.config import PROJECT_ROOT

PAGES_DIR = PROJECT_ROOT / "pages"


@dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str
    any_of: tuple[str, ...] = ()  # permissions; empty = every signed-in user
    section: str = "Workspace"

    def allowed(self, principal: Principal) -> bool:
        return not self.any_of or any(principal.has(permission) for permission in self.any_of)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home.py", "Home", ":material/home:", "home"),
    PageSpec("crm.py", "CRM", ":material/handshake:", "crm", ("crm.read",)),
    PageSpec("marketing.py", "Campaigns & Leads", ":material/campaign:", "campaigns", ("marketing.read",)),
    PageSpec(
        "compensation.py", "Commissions", ":material/payments:", "commissions",
        ("commissions.read_own", "commissions.read_all"),
    ),
    PageSpec("forecasting.py", "Forecasts", ":material/trending_up:", "forecasts", ("forecasts.read",)),
    PageSpec("notifications.py", "Notifications", ":material/notifications:", "notifications"),
    PageSpec("chat.py", "Assistant", ":material/smart_toy:", "chat", ("chat.use",)),
    PageSpec("admin.py", "Admin", ":material/admin_panel_settings:", "admin", ("admin.users",), "Administration"),
    PageSpec(
        "integrations.py", "Integrations", ":material/hub:", "integrations", ("integrations.manage",), "Administration"
    ),
)


def allowed_pages(principal: Principal) -> list[PageSpec]:
    return [page for page in PAGES if page.allowed(principal)]


def refusal_page(spec: PageSpec):
    """What a page opened by URL without permission shows instead of running: a refusal, audited."""

    def refuse() -> None:
        import streamlit as st

        from nexus360.ui.session import record_refusal

        record_refusal(" or ".join(spec.any_of), object_type="page", object_id=spec.url_path)
        st.title(spec.title)
        st.warning(
            "You do not have access to this page. Ask an administrator if you need it.", icon=":material/lock:"
        )

    refuse.__name__ = f"refused_{spec.url_path}"
    return refuse


def hide_until_signed_in() -> None:
    """Before sign-in: register every page, hidden and never run, so Streamlit neither lists the pages/
    folder in the sidebar nor forgets the address the visitor asked for (/crm opens CRM after sign-in)."""
    import streamlit as st

    st.navigation(
        [st.Page(str(PAGES_DIR / spec.script), title=spec.title, url_path=spec.url_path,
                 default=spec.url_path == "home") for spec in PAGES],
        position="hidden",
    )


# --- the README's table of demo accounts ---------------------------------------------------------------------

def role_table(accounts: list[tuple[str, str]]) -> str:
    """README's "Demo accounts" table for (username, role) pairs: the pages each role opens and its permissions,
    from the seeded permission matrix (auth.schemas.DEFAULT_GRANTS) and PAGES (tests/test_readme.py)."""
    from nexus360.auth.schemas import DEFAULT_GRANTS, PERMISSIONS
    from nexus360.auth.users.schemas import role_label

    lines = ["| username | role | pages | permissions |", "|---|---|---|---|"]
    for username, role in accounts:
        grants = frozenset(DEFAULT_GRANTS[role])
        pages = ", ".join(page.title for page in PAGES if page.allowed(Principal(id=0, email="", permissions=grants)))
        permissions = ("every permission" if grants == frozenset(PERMISSIONS)
                       else ", ".join(f"`{name}`" for name in DEFAULT_GRANTS[role]))
        lines.append(f"| `{username}` | {role_label(role)} | {pages} | {permissions} |")
    return "\n".join(lines)
