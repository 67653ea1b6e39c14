"""The CRM dashboard tab: filters, KPI row, charts and deals at risk, all aggregated in SQL."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from nexus360.auth.users import service as people
from nexus360.common.money import change, money, percent
from nexus360.common.periods import previous_quarter, quarter_of, today_utc
from nexus360.crm.dashboard import service as dashboards
from nexus360.crm.dashboard.schemas import DashboardFilters
from nexus360.db import Database
from nexus360.ui import charts
from nexus360.ui.session import cached, call, current_principal

PERIODS = ("This quarter", "Last quarter", "This year", "Last 12 months", "Custom")


def _period(choice: str, today: date) -> tuple[date, date]:
    if choice == "Last quarter":
        last = previous_quarter(quarter_of(today))
        return last.start, last.end
    if choice == "This year":
        return date(today.year, 1, 1), today
    if choice == "Last 12 months":
        year = DashboardFilters.last_12_months(today)
        return year.start, year.end
    quarter = DashboardFilters.this_quarter(today)
    return quarter.start, quarter.end


def filters_bar(reference: dict, today: date) -> DashboardFilters:
    period_col, owner_col, stage_col, industry_col, country_col = st.columns([2, 2, 2, 2, 2])
    choice = period_col.selectbox("Period", PERIODS, key="dash_period")
    start, end = _period(choice, today)
    if choice == "Custom":
        picked = period_col.date_input("From – to", value=(start, end), key="dash_dates")
        if len(picked) == 2:
            start, end = picked
    owner_ids = _owner_filter(owner_col)
    stages, industries, countries = (dict(reference[k]) for k in ("stages", "industries", "countries"))
    stage_ids = stage_col.multiselect("Stage", list(stages), format_func=stages.get, key="dash_stages")
    industry_ids = industry_col.multiselect("Industry", list(industries), format_func=industries.get, key="dash_ind")
    country_ids = country_col.multiselect("Country", list(countries), format_func=countries.get, key="dash_country")
    return DashboardFilters(
        start=start,
        end=end,
        owner_ids=owner_ids,
        stage_ids=tuple(stage_ids),
        industry_ids=tuple(industry_ids),
        country_ids=tuple(country_ids),
    )


def _owner_filter(column) -> tuple[int, ...]:
    principal = current_principal()
    managers = dict(cached(Database.AUTH, people.list_managers))
    sellers = {
        uid: name
        for uid, name, _email, _active in cached(
            Database.AUTH, people.list_people, roles=("sales_rep", "sales_manager")
        )
    }
    choices = (
        [("all", None), ("me", principal.id)]
        + [("team", uid) for uid in managers]
        + [("owner", uid) for uid in sellers]
    )
    labels = {
        "all": lambda _u: "Everyone",
        "me": lambda _u: "My deals",
        "team": lambda u: f"Team of {managers[u]}",
        "owner": lambda u: sellers[u],
    }
    kind, user_id = column.selectbox(
        "Owner / team", choices, format_func=lambda c: labels[c[0]](c[1]), key="dash_owner"
    )
    if kind == "all":
        return ()
    if kind == "team":
        return tuple(call(Database.AUTH, people.list_team_member_ids, manager_id=user_id))
    return (user_id,)


def kpi_row(kpis) -> None:
    now, before = kpis.current, kpis.previous
    first = st.columns(4)
    first[0].metric(
        "Open pipeline",
        money(kpis.open_pipeline),
        f"{kpis.open_deals:,} deals",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    first[1].metric(
        "Weighted pipeline",
        money(kpis.weighted_pipeline),
        "by stage probability",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    first[2].metric(
        "Won",
        money(now.won_amount),
        _versus(now.won_amount, before.won_amount),
        border=True,
        help=f"{now.won_deals:,} deals; {_previous(before)}: {money(before.won_amount)}",
    )
    first[3].metric(
        "Lost",
        money(now.lost_amount),
        _versus(now.lost_amount, before.lost_amount),
        delta_color="inverse",
        border=True,
        help=f"{now.lost_deals:,} deals; {_previous(before)}: {money(before.lost_amount)}",
    )
    second = st.columns(4)
    second[0].metric(
        "Win rate",
        percent(now.win_rate),
        _points(now.win_rate, before.win_rate),
        border=True,
        help="Won ÷ (won + lost) deals closed in the period",
    )
    second[1].metric(
        "Average deal",
        money(now.average_deal_size),
        _versus(now.average_deal_size, before.average_deal_size),
        border=True,
        help="Average amount of won deals",
    )
    cycle = now.average_sales_cycle_days
    second[2].metric(
        "Sales cycle",
        "–" if cycle is None else f"{cycle:.0f} days",
        border=True,
        help="Average days from creation to close of won deals",
    )
    second[3].metric(
        "Overdue deals",
        f"{kpis.overdue_deals:,}",
        "open, close date passed",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )


def _versus(now, before) -> str | None:
    return None if now is None or before is None else change(now, before, against="previous")


def _previous(before) -> str:
    """The period "vs previous" compares with, in words (see crm.dashboard.schemas.previous_period)."""
    return (f"previous period {_day(before.start)} – {_day(before.end)} (the same number of days, "
            "from the start of the previous quarter or month when the period is one)")


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _points(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    text = f"{(now - before) * 100:+.0f} pts"
    return "0 pts" if text in ("+0 pts", "-0 pts") else text


def dashboard_tab(reference: dict) -> None:
    today = today_utc()
    filters = filters_bar(reference, today)
    kpis = cached(Database.CRM, dashboards.get_kpis, filters=filters, today=today)
    kpi_row(kpis)
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Pipeline by stage")
        funnel = cached(Database.CRM, dashboards.get_funnel, filters=filters)
        _chart(funnel["deals"].sum() > 0, lambda: charts.pipeline_by_stage(funnel), "No open deals match.")
    with right:
        st.subheader("Won revenue by month")
        monthly = cached(Database.CRM, dashboards.get_won_by_month, filters=filters)
        _chart(
            monthly[["revenue", "revenue_last_year"]].to_numpy().sum() > 0,
            lambda: charts.won_by_month(monthly),
            "Nothing was won in this period.",
        )
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Revenue by industry")
        industry = cached(Database.CRM, dashboards.get_revenue_by_industry, filters=filters)
        _chart(not industry.empty, lambda: charts.revenue_by_industry(industry), "Nothing was won in this period.")
    with right:
        st.subheader("Revenue by country")
        country = cached(Database.CRM, dashboards.get_revenue_by_country, filters=filters)
        _chart(
            not country.empty,
            lambda: charts.revenue_map(country),
            "Nothing was won in this period.",
            config=charts.MAP_CONFIG,
        )
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Who is ahead")
        board = cached(Database.CRM, dashboards.get_owner_leaderboard, filters=filters)
        if board.empty:
            st.info("No owners match these filters.")
        else:
            names = cached(Database.AUTH, people.get_user_names, user_ids=tuple(board["owner_id"]))
            board = board.assign(owner=board["owner_id"].map(names).fillna("(former user)"))
            st.plotly_chart(charts.owner_leaderboard(board), width="stretch", config=charts.PLOTLY_CONFIG)
    with right:
        st.subheader("Deals at risk")
        _deals_at_risk(filters, today)


def _chart(has_data: bool, figure, empty: str, *, config: dict | None = None) -> None:
    if not has_data:
        st.info(empty)
        return
    st.plotly_chart(figure(), width="stretch", config=config or charts.PLOTLY_CONFIG)


def _deals_at_risk(filters: DashboardFilters, today: date) -> None:
    medians = cached(Database.CRM, dashboards.get_stage_medians, today=today)
    risky = call(
        Database.CRM, dashboards.list_deals_at_risk, filters=filters, today=today, limit=20, stage_medians=medians
    )
    if risky.empty:
        st.success("No open deal is overdue or stuck in its stage.")
        return
    names = cached(Database.AUTH, people.get_user_names, user_ids=tuple(risky["owner_id"]))
    shown = pd.DataFrame(
        {
            "Deal": risky["title"],
            "Company": risky["company"],
            "Stage": risky["stage"],
            "Amount": risky["amount"],
            "Close date": risky["close_date"],
            "Owner": risky["owner_id"].map(names),
            "Why": risky["reason"],
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=380,
        column_config={"Amount": st.column_config.NumberColumn(format="dollar")},
    )
