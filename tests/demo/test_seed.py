"""The demo loader: loads once, reloads identically on reset, and the data looks like a real business."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Table, text

from nexus360.auth.schemas import ROLES
from nexus360.auth.signin.service import verify_password
from nexus360.db import BASES, Database, session_scope
from nexus360.demo import crm as crm_demo
from nexus360.demo import seed

pytestmark = pytest.mark.usefixtures("seeded")

# Columns left out of the fingerprint because they differ on every load by design.
UNSTABLE_COLUMNS = {"local_credentials": {"password_hash"}}


def fingerprint_sql(table: Table) -> str:
    """count and md5 of every row (stable columns only), in primary-key order."""
    skipped = UNSTABLE_COLUMNS.get(table.name, set())
    columns = ", ".join(f't."{column.name}"' for column in table.columns if column.name not in skipped)
    order = ", ".join(f't."{column.name}"' for column in table.primary_key.columns)
    return (
        f"SELECT count(*), md5(COALESCE(string_agg(ROW({columns})::text, '|' ORDER BY {order}), '')) "
        f'FROM "{table.name}" t'
    )


def fingerprints() -> dict[str, tuple[int, str]]:
    """Row count and content hash of every table the loader fills, in all eight databases."""
    result = {}
    for database, tables in seed.SEEDED_TABLES.items():
        metadata = BASES[database].metadata
        with session_scope(database, admin=True) as session:
            for name in tables:
                count, digest = session.execute(text(fingerprint_sql(metadata.tables[name]))).one()
                result[name] = (count, digest)
    return result


def scalar(database: Database, sql: str, **params: object) -> object:
    with session_scope(database, admin=True) as session:
        return session.execute(text(sql), params).scalar_one()


def rows(database: Database, sql: str, **params: object) -> list[tuple]:
    with session_scope(database, admin=True) as session:
        return [tuple(row) for row in session.execute(text(sql), params)]


def test_loading_again_without_reset_changes_nothing() -> None:
    before = fingerprints()

    assert seed.seed_demo_data() == {}

    assert fingerprints() == before
    assert seed.is_seeded()


def test_reset_reloads_exactly_the_same_rows() -> None:
    # Reset twice: other tests may have committed changes to the first load, and reset discards them.
    first_counts = seed.seed_demo_data(reset=True)
    first = fingerprints()

    second_counts = seed.seed_demo_data(reset=True)

    assert fingerprints() == first
    assert second_counts == first_counts == {table: count for table, (count, _digest) in first.items()}


def test_reset_leaves_the_migration_seeded_tables_alone() -> None:
    assert scalar(Database.AUTH, "SELECT count(*) FROM roles") == len(ROLES)
    assert scalar(Database.AUTH, "SELECT count(*) FROM role_permissions") > 0
    assert scalar(Database.CRM, "SELECT count(*) FROM deal_stages") == 7
    assert scalar(Database.CRM, "SELECT count(*) FROM countries") > 200


def test_twelve_users_cover_all_four_roles() -> None:
    assert scalar(Database.AUTH, "SELECT count(*) FROM users") == 12
    used = rows(Database.AUTH, "SELECT DISTINCT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id")
    assert {name for (name,) in used} == set(ROLES)
    assert scalar(Database.AUTH, "SELECT count(*) FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id "
                                 "WHERE ur.user_id IS NULL") == 0


def test_reps_report_to_team_managers_who_report_to_a_vp() -> None:
    chains = rows(Database.AUTH, """
        SELECT rep.id FROM users rep
        JOIN users team ON team.id = rep.manager_id
        JOIN users vp ON vp.id = team.manager_id
        JOIN user_roles ur ON ur.user_id = rep.id JOIN roles r ON r.id = ur.role_id
        WHERE r.name = 'sales_rep' AND vp.manager_id IS NULL
    """)
    assert len(chains) >= 4


def test_one_rep_has_left_and_is_inactive() -> None:
    inactive = rows(Database.AUTH, """
        SELECT r.name FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
        WHERE NOT u.is_active
    """)
    assert inactive == [("sales_rep",)]


def test_the_four_demo_accounts_sign_in_with_the_demo_password() -> None:
    accounts = dict(rows(Database.AUTH, "SELECT username, password_hash FROM local_credentials"))
    assert set(accounts) == set(seed.DEMO_USERNAMES)
    assert all(verify_password(seed.DEMO_PASSWORD, password_hash) for password_hash in accounts.values())
    assert not verify_password("wrong-password", accounts["rep"])


def test_about_two_thousand_deals_span_three_years_and_open_deals_close_ahead_but_a_few_slipped() -> None:
    anchor = seed.demo_anchor()
    count, first, last_closed = rows(Database.CRM, """
        SELECT count(*), min(close_date), max(close_date) FILTER (WHERE s.is_won OR s.is_lost)
        FROM deals d JOIN deal_stages s ON s.id = d.stage_id
    """)[0]
    assert 1_800 <= count <= 2_200
    assert first <= anchor - timedelta(days=3 * 365 - 31)
    assert last_closed < anchor
    overdue = rows(Database.CRM, """
        SELECT d.close_date, s.name FROM deals d JOIN deal_stages s ON s.id = d.stage_id
        WHERE NOT s.is_won AND NOT s.is_lost AND d.close_date < :anchor
    """, anchor=anchor)
    # only the late-stage deals that slipped earlier this month (none on the first of a month)
    assert len(overdue) == (0 if anchor.day == 1 else crm_demo.SLIPPED_DEALS)
    assert all(close >= anchor.replace(day=1) and stage in ("Proposal", "Negotiation") for close, stage in overdue)


def test_win_rate_of_closed_deals_is_between_twenty_and_forty_percent() -> None:
    won, closed = rows(Database.CRM, """
        SELECT count(*) FILTER (WHERE s.is_won), count(*) FILTER (WHERE s.is_won OR s.is_lost)
        FROM deals d JOIN deal_stages s ON s.id = d.stage_id
    """)[0]
    assert 0.20 <= won / closed <= 0.40


def test_every_open_stage_holds_deals() -> None:
    open_stages = rows(Database.CRM, """
        SELECT s.name FROM deal_stages s JOIN deals d ON d.stage_id = s.id
        WHERE NOT s.is_won AND NOT s.is_lost GROUP BY s.name
    """)
    assert len(open_stages) == 5


def test_fourth_quarters_bring_more_revenue_than_third_quarters() -> None:
    by_quarter = dict(rows(Database.CRM, """
        SELECT extract(quarter FROM close_date)::int, sum(amount) FROM deals d
        JOIN deal_stages s ON s.id = d.stage_id WHERE s.is_won GROUP BY 1
    """))
    assert by_quarter[4] > by_quarter[3]


def test_cross_database_user_references_point_at_real_users() -> None:
    user_ids = {user_id for (user_id,) in rows(Database.AUTH, "SELECT id FROM users")}
    references = [
        (Database.CRM, "SELECT DISTINCT owner_id FROM deals"),
        (Database.NOTIFICATIONS, "SELECT DISTINCT user_id FROM notifications"),
        (Database.CHAT, "SELECT DISTINCT user_id FROM conversations"),
        (Database.COMPENSATION, "SELECT DISTINCT user_id FROM sales_performance"),
    ]
    for database, sql in references:
        assert {user_id for (user_id,) in rows(database, sql)} <= user_ids, database


def test_commission_statements_match_the_won_deals_of_their_quarter() -> None:
    won = dict(rows(Database.CRM, """
        SELECT owner_id || ':' || date_trunc('quarter', close_date)::date, sum(amount)
        FROM deals d JOIN deal_stages s ON s.id = d.stage_id WHERE s.is_won GROUP BY 1
    """))
    statements = rows(Database.COMPENSATION, "SELECT user_id, period_start, revenue, commission, status "
                                             "FROM sales_performance")
    assert statements
    lines = dict(rows(Database.COMPENSATION, "SELECT p.user_id || ':' || p.period_start, sum(l.amount) "
                                             "FROM sales_performance p JOIN commission_lines l "
                                             "ON l.performance_id = p.id GROUP BY 1"))
    for user_id, period_start, revenue, commission, _status in statements:
        assert revenue == won.get(f"{user_id}:{period_start}", Decimal(0))
        assert commission == lines.get(f"{user_id}:{period_start}", Decimal(0))  # each number explains itself
        assert commission >= (revenue * Decimal("0.05")).quantize(Decimal("0.01"))  # standard 5% at least
    latest = max(period_start for _user, period_start, *_rest in statements)
    assert {status for _u, start, _r, _c, status in statements if start == latest} == {"approved", "pending_approval"}
    assert {status for _u, start, _r, _c, status in statements if start < latest} == {"paid"}


def test_every_forecast_is_the_sum_of_its_contributing_factors() -> None:
    sums = rows(Database.FORECASTING, "SELECT f.forecast_value, sum(x.factor_value) FROM forecasts f "
                                      "JOIN forecast_factors x ON x.forecast_id = f.id AND x.contributes GROUP BY f.id")
    assert len(sums) == scalar(Database.FORECASTING, "SELECT count(*) FROM forecasts")
    assert all(value == total for value, total in sums)


def test_read_notifications_have_a_read_time_and_unread_ones_none() -> None:
    assert scalar(Database.NOTIFICATIONS, """
        SELECT count(*) FROM notifications
        WHERE (status = 'read') <> (read_at IS NOT NULL) OR read_at < created_at
    """) == 0
    assert scalar(Database.NOTIFICATIONS, "SELECT count(*) FROM notifications WHERE status = 'unread'") > 0


def test_integration_configs_hold_secret_references_never_secrets() -> None:
    configs = rows(Database.INTEGRATION, "SELECT name, config FROM integration_configs")
    secrets = [
        (name, key, value)
        for name, config in configs
        for key, value in config.items()
        if any(word in key for word in ("secret", "password", "token"))
    ]
    assert secrets
    assert all(str(value).startswith("env:") for _name, _key, value in secrets)


def test_nothing_is_dated_after_the_anchor_except_planned_dates() -> None:
    anchor = seed.demo_anchor()
    checks = [
        (Database.CRM, "SELECT max(greatest(created_at, updated_at)) FROM deals"),
        (Database.MARKETING, "SELECT max(greatest(created_at, updated_at)) FROM leads"),
        (Database.NOTIFICATIONS, "SELECT max(greatest(created_at, read_at)) FROM notifications"),
        (Database.CHAT, "SELECT max(created_at) FROM messages"),
        (Database.INTEGRATION, "SELECT max(created_at) FROM integration_logs"),
    ]
    for database, sql in checks:
        assert scalar(database, sql).date() <= anchor, database


def test_the_anchor_is_today_in_utc_so_current_figures_are_live() -> None:
    assert seed.demo_anchor() == datetime.now(UTC).date()
