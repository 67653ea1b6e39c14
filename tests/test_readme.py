"""README says what each demo account sees as the permission matrix grants it (issue 13, item 17): the table is
generated (`nexus360.ui.navigation.role_table`), and this test fails when it drifts from the matrix or the pages."""

from __future__ import annotations

from nexus360.config import PROJECT_ROOT
from nexus360.demo.data import STAFF
from nexus360.ui.navigation import role_table


def demo_accounts() -> list[tuple[str, str]]:
    return [(username, role) for _first, _last, role, _manager, username, _hired, _left in STAFF if username]


def test_the_readme_role_table_matches_the_permission_matrix() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    table = role_table(demo_accounts())
    assert table in readme, f"README's 'Demo accounts' table is out of date; replace it with:\n\n{table}\n"


def test_the_table_says_reps_see_campaigns_and_the_assistant_and_marketers_see_the_crm() -> None:
    rows = {line.split("|")[1].strip(): line for line in role_table(demo_accounts()).splitlines()[2:]}
    assert "Campaigns & Leads" in rows["`rep`"] and "Assistant" in rows["`rep`"]
    assert "CRM" in rows["`marketer`"] and "Commissions" not in rows["`marketer`"]
