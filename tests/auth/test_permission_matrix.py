"""Every role × every service permission: allowed calls work, the others are refused.

Each entry names one permission and a call that needs it. Principals come from the seeded role
grants of DESIGN.md, so the test also proves the seeded matrix.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import DEFAULT_GRANTS, PERMISSIONS
from nexus360.auth.users import service as users
from nexus360.common.errors import AuthorizationError
from nexus360.common.periods import today_utc
from nexus360.crm.dashboard import service as crm_dashboard
from nexus360.crm.dashboard.schemas import DashboardFilters
from nexus360.db import Database
from nexus360.marketing.leads import service as marketing_service

# permission -> (database, call(session, principal))
GUARDED_CALLS: dict[str, list[tuple[Database, Callable]]] = {
    "crm.read": [
        (Database.CRM, lambda s, p: crm_dashboard.get_kpis(
            s, p, filters=DashboardFilters.this_quarter(today_utc()), today=today_utc())),
        (Database.CRM, lambda s, p: crm_dashboard.get_funnel(s, p, filters=DashboardFilters.this_quarter(today_utc()))),
        (Database.CRM, lambda s, p: crm_dashboard.get_won_by_month(
            s, p, filters=DashboardFilters.months_to_date(today_utc(), 24))),
    ],
    "marketing.read": [
        (Database.MARKETING, lambda s, p: marketing_service.count_new_leads_this_month(s, p, today=today_utc())),
    ],
    "admin.users": [
        (Database.AUTH, lambda s, p: users.list_users(s, p)),
        (Database.AUTH, lambda s, p: users.get_permission_matrix(s, p)),
        (Database.AUTH, lambda s, p: users.list_audit_events(s, p)),
        (Database.AUTH, lambda s, p: users.list_role_names(s, p)),
    ],
}

CASES = [
    pytest.param(role, permission, index, id=f"{role}-{permission}-{index}")
    for role in DEFAULT_GRANTS
    for permission, calls in GUARDED_CALLS.items()
    for index in range(len(calls))
]


def principal_with_role(db, role: str):
    """The first seeded active user holding `role`, as services see them."""
    from sqlalchemy import text

    user_id = db(Database.AUTH).execute(
        text(
            "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id "
            "WHERE r.name = :role AND u.is_active ORDER BY u.id LIMIT 1"
        ),
        {"role": role},
    ).scalar_one()
    return auth_service.get_principal(db(Database.AUTH), user_id)


def test_every_guarded_permission_exists_in_the_catalogue() -> None:
    assert set(GUARDED_CALLS) <= set(PERMISSIONS)


@pytest.mark.parametrize(("role", "permission", "index"), CASES)
def test_call_is_allowed_exactly_when_the_role_grants_the_permission(db, role, permission, index) -> None:
    principal = principal_with_role(db, role)
    database, guarded_call = GUARDED_CALLS[permission][index]
    if permission in DEFAULT_GRANTS[role]:
        guarded_call(db(database), principal)
    else:
        with pytest.raises(AuthorizationError) as refused:
            guarded_call(db(database), principal)
        assert permission in str(refused.value)


def test_a_deactivated_user_is_refused_even_with_the_permission(db) -> None:
    principal = principal_with_role(db, "admin").model_copy(update={"is_active": False})
    with pytest.raises(AuthorizationError):
        users.list_users(db(Database.AUTH), principal)
