"""The CRM dashboard tab: filters, KPI row, one chart area (funnel, won by month, industries, who is ahead, the
world map: the person picks), and deals at risk, all aggregated in SQL.

The tab is a fragment: a filter change reruns it alone. Every figure is cached by the filters (and the
user's scope), and every chart is built once per data change (charts.cached_figure).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.auth.users import service as people
from nexus360.common.money import DASH, change, money, percent
from nexus360.common.periods import previous_quarter, quarter_of, today_utc
from nexus360.crm.dashboard import service as dashboards
from nexus360.crm.dashboard.schemas import DashboardFilters, DashboardKpis, DealFigures, PeriodFigures, StageInfo
from nexus360.db import Database, data_generation
from nexus360.ui import charts, warming
from nexus360.ui.crm import links
from nexus360.ui.crm.common import day
from nexus360.ui.formatting import literal
from nexus360.ui.session import cached, cached_for, current_principal

PERIODS = ("This quarter", "Last quarter", "This year", "Last 12 months", "Custom")
WARMED = PERIODS[:4]  # computed off the rerun path, company-wide, once the tab was shown (warm_figures)
AT_RISK_ROWS = 20
CHART_KEY = "dash_chart"


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
    """Period and owner in view; stage, industry and country in one "Filters" popover (three pickers cost the
    browser more than they are used), the ones chosen said under the bar, literally."""
    period_col, owner_col, more_col = st.columns([2, 2, 1], vertical_alignment="bottom")
    choice = period_col.selectbox("Period", PERIODS, key="dash_period")
    start, end = _period(choice, today)
    if choice == "Custom":
        picked = period_col.date_input("From – to", value=(start, end), key="dash_dates", max_value=today,
                                       format="YYYY-MM-DD")
        if len(picked) == 2:
            start, end = picked
    choices = cached(Database.AUTH, dashboards.list_owner_choices)
    owner = owner_col.selectbox("Owner / team", choices, format_func=lambda choice: choice.label, key="dash_owner")
    named = {key: dict(reference[kind]) for key, (kind, _label, _all) in MORE_FILTERS.items()}
    chosen = {key: st.session_state.get(key) or [] for key in MORE_FILTERS}
    active = sum(len(values) for values in chosen.values())
    with more_col.popover(f"Filters ({active})" if active else "Filters", icon=":material/filter_list:",
                          width="stretch"):
        for key, (_kind, label, everything) in MORE_FILTERS.items():
            chosen[key] = st.multiselect(label, list(named[key]), format_func=named[key].get, key=key,
                                         placeholder=everything)
    if active:
        st.caption(filters_summary({MORE_FILTERS[key][1]: [named[key][value] for value in values]
                                    for key, values in chosen.items()}))
    return DashboardFilters(
        start=start,
        end=end,
        owner_ids=owner.owner_ids,
        stage_ids=tuple(chosen["dash_stages"]),
        industry_ids=tuple(chosen["dash_ind"]),
        country_ids=tuple(chosen["dash_country"]),
    )


# The popover's pickers: widget key -> (reference list, label, what none chosen means).
MORE_FILTERS = {
    "dash_stages": ("stages", "Stage", "All stages"),
    "dash_ind": ("industries", "Industry", "All industries"),
    "dash_country": ("countries", "Country", "All countries"),
}


def filters_summary(chosen: dict[str, list[str]], *, names_shown: int = 5) -> str:
    """'Filtered by stage: Proposal · industry: Retail, Energy' for the filters chosen in the popover, shown as
    written (past `names_shown` names of one kind, how many more)."""
    def names(chosen_names: list[str]) -> str:
        shown = ", ".join(literal(name) for name in chosen_names[:names_shown])
        more = len(chosen_names) - names_shown
        return f"{shown} and {more} more" if more > 0 else shown

    return "Filtered by " + " · ".join(f"{label.lower()}: {names(chosen_names)}"
                                       for label, chosen_names in chosen.items() if chosen_names)


def _tile(column, label: str, value: str, delta: str | None = None, *, note: bool = False, **options) -> None:
    """One KPI tile; a `note` is a grey caption under the value rather than a change."""
    if note:
        options.update(delta_color="off", delta_arrow="off")
    column.metric(label, value, delta, border=True, **options)


def kpi_row(kpis: DashboardKpis) -> None:
    now, before = kpis.current, kpis.previous
    first = st.columns(4)
    _tile(first[0], "Open pipeline", money(kpis.open_pipeline), f"{kpis.open_deals:,} deals", note=True)
    _tile(first[1], "Weighted pipeline", money(kpis.weighted_pipeline), "by stage probability", note=True)
    _tile(first[2], "Won", money(now.won_amount), _versus(now.won_amount, before.won_amount),
          help=f"{now.won_deals:,} deals; {_previous(before)}: {money(before.won_amount)}")
    _tile(first[3], "Lost", money(now.lost_amount), _versus(now.lost_amount, before.lost_amount),
          delta_color="inverse", help=f"{now.lost_deals:,} deals; {_previous(before)}: {money(before.lost_amount)}")
    second = st.columns(4)
    _tile(second[0], "Win rate", percent(now.win_rate), points(now.win_rate, before.win_rate),
          help="Won ÷ (won + lost) deals closed in the period")
    _tile(second[1], "Average deal", money(now.average_deal_size),
          _versus(now.average_deal_size, before.average_deal_size), help="Average amount of won deals")
    cycle = now.average_sales_cycle_days
    _tile(second[2], "Sales cycle", DASH if cycle is None else f"{cycle:.0f} days",
          help="Average days from creation to close of won deals")
    _tile(second[3], "Overdue deals", f"{kpis.overdue_deals:,}", "open, close date passed", note=True)


def _versus(now, before) -> str | None:
    return None if now is None or before is None else change(now, before, against="previous")


def _previous(before: PeriodFigures) -> str:
    """The period "vs previous" compares with, in words (see crm.dashboard.schemas.previous_period)."""
    return (f"previous period {_day(before.start)} – {_day(before.end)} (the same number of days, "
            "from the start of the previous quarter or month when the period is one)")


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def points(now: float | None, before: float | None) -> str | None:
    """A rate's change in percentage points ('+3 pts'); never '-0 pts'."""
    if now is None or before is None:
        return None
    text = f"{(now - before) * 100:+.0f} pts"
    return "0 pts" if text in ("+0 pts", "-0 pts") else text


@st.fragment
def dashboard_tab(reference: dict) -> None:
    today = today_utc()
    filters = filters_bar(reference, today)
    kpi_row(kpis(filters, today))
    charts.chart_picker({
        "Pipeline by stage": lambda: _funnel(filters, today),
        "Won by month": lambda: _monthly(filters),
        "Revenue by industry": lambda: _industries(filters),
        "Who is ahead": lambda: _who_is_ahead(filters),
        "Revenue by country": lambda: _countries(filters),
    }, key=CHART_KEY)
    st.subheader("Deals at risk", help="Open deals past their close date, or in their stage more than twice as "
                                       "long as won deals usually stay there.")
    _deals_at_risk(filters, today)
    warm_figures(current_principal(), today)


def warm_figures(principal: Principal, today: date) -> threading.Thread | None:
    """Compute, in the background, the company-wide figures of the periods people choose (WARMED) that the tab
    shows: the KPIs and the chart picked (nothing more: each data change warms again), as the tab reads them for
    this principal, so that choosing a period is a cache hit (nexus360.ui.warming); once per user, chart, data
    generation and day. The thread, or None when nothing is left to warm."""
    chart = st.session_state.get(CHART_KEY)
    key = ("crm dashboard", principal.id, principal.permissions, chart, data_generation(Database.CRM),
           data_generation(Database.AUTH), today)
    periods = [DashboardFilters(*_period(choice, today)) for choice in WARMED]
    return warming.warm(key, [partial(_period_figures, principal, filters, today, chart) for filters in periods])


def kpis(filters: DashboardFilters, today: date, principal: Principal | None = None) -> DashboardKpis:
    """The KPI row's figures (Home's too), summed from figures per owner and stage read without the owners, stages
    and (for the open deals) the period: another owner, stage or period reads only what is new."""
    read, who = _reader(principal), principal or current_principal()
    by = dashboards.figures_filters(who, filters)
    start, end = filters.previous
    open_now = _open_figures(filters, today, principal)
    stages = _stages(principal)
    current = read(Database.CRM, dashboards.get_closed_figures, shared=True, filters=by, stages=stages)
    previous = read(Database.CRM, dashboards.get_closed_figures, shared=True, filters=replace(by, start=start, end=end),
                    stages=stages)
    return dashboards.kpis_of(who, open_now, current, previous, filters)


def funnel(filters: DashboardFilters, today: date) -> pd.DataFrame:
    """Open deals per stage (the dashboard's and Home's), from the same figures as the KPIs."""
    return dashboards.funnel_of(current_principal(), _open_figures(filters, today), filters)


def _open_figures(filters: DashboardFilters, today: date, principal: Principal | None = None) -> DealFigures:
    by = dashboards.figures_filters(principal or current_principal(), filters).snapshot(today)
    return _reader(principal)(Database.CRM, dashboards.get_open_figures, shared=True, filters=by, today=today,
                              stages=_stages(principal))


def _stages(principal: Principal | None = None) -> tuple[StageInfo, ...]:
    """The pipeline's stages, read once per data change and handed to each figure read (one statement fewer each)."""
    return _reader(principal)(Database.CRM, dashboards.get_stages, shared=True)


def _period_figures(principal: Principal, filters: DashboardFilters, today: date, chart: str | None) -> None:
    """What dashboard_tab reads for a period with no other filter set and `chart` picked (the same cache entries)."""
    kpis(filters, today, principal)
    if chart in PERIOD_CHARTS:
        chart_figure(chart, filters, principal)


def _reader(principal: Principal | None):
    """How a figure is read: `cached` in a person's rerun, `cached_for` the principal given in a warm-up."""
    return cached if principal is None else partial(cached_for, principal)


# The period's figures each chart reads: (service, per user). The stages are period-free (today's snapshot).
PERIOD_CHARTS = {
    "Won by month": (dashboards.get_won_by_month, False),
    "Revenue by industry": (dashboards.get_revenue_by_industry, False),
    "Who is ahead": (dashboards.get_rep_leaderboard, True),
    "Revenue by country": (dashboards.get_revenue_by_country, False),
}


def chart_figure(chart: str, filters: DashboardFilters, principal: Principal | None = None) -> pd.DataFrame:
    """The figures `chart` draws, cached: shared by scope, or per user (who is ahead: a rep sees ranks only)."""
    service, per_user = PERIOD_CHARTS[chart]
    return _reader(principal)(Database.CRM, service, with_auth=per_user, shared=not per_user, filters=filters)


# One chart at a time, chosen in a picker: each is its own read and its own drawing, and a chart costs the
# browser about 0.1 s (the first Plotly chart of a page 0.25 s), so the dashboard opens on the stages alone,
# drawn as HTML bars (charts.stage_rows) so that opening the page loads no chart library at all.
def _funnel(filters: DashboardFilters, today: date) -> None:
    stages = funnel(filters, today)
    if stages["deals"].sum() == 0:
        st.info("No open deals match these filters.")
        return
    st.html(charts.stage_rows(stages))  # HTML bars: no chart library to load when the dashboard opens
    st.caption("Open deals by stage: their amount and how many.")


def _monthly(filters: DashboardFilters) -> None:
    monthly = chart_figure("Won by month", filters)
    has_data = monthly[["revenue", "revenue_last_year"]].to_numpy().sum() > 0
    _chart(has_data, "won_by_month", monthly, "Nothing was won in this period, nor a year before.")


def _industries(filters: DashboardFilters) -> None:
    industry = chart_figure("Revenue by industry", filters)
    _chart(not industry.empty, "revenue_by_industry", industry, "Nothing was won in this period.")
    st.caption("Won revenue in the period, by the company's industry.")


def _who_is_ahead(filters: DashboardFilters) -> None:
    board = chart_figure("Who is ahead", filters)
    if board.empty or dashboards.sees_colleagues(current_principal()):
        _chart(not board.empty, "owner_leaderboard", board, "No sales rep matches these filters.")
    else:
        _ranking(board)
    st.caption("Sales reps by won revenue in the period (managers lead teams and are not ranked).")


def _countries(filters: DashboardFilters) -> None:
    country = chart_figure("Revenue by country", filters)
    _chart(not country.empty, "revenue_map", country, "Nothing was won in this period.", config=charts.MAP_CONFIG)
    st.caption("Won revenue in the period, by the company's country.")


def _ranking(board: pd.DataFrame) -> None:
    """A seller's view of who is ahead: colleagues by rank, figures only in their own row (the service's rule)."""
    mine = board[board["owner_id"] == current_principal().id]
    if not mine.empty:
        row = mine.iloc[0]
        st.metric(f"Your rank: {int(row['rank'])} of {len(board)}", money(row["won_amount"]),
                  f"{int(row['won_deals']):,} won deals", delta_color="off", delta_arrow="off", border=True)
    st.dataframe(board[["rank", "owner"]], hide_index=True, width="stretch", height=min(38 + 35 * len(board), 420),
                 column_config={"rank": st.column_config.NumberColumn("Rank", format="%d", width=60),
                                "owner": st.column_config.TextColumn("Sales rep")})
    st.caption("Colleagues' revenue is shown to managers only.")


def _chart(has_data: bool, figure: str, frame: pd.DataFrame, empty: str, *, config: dict | None = None) -> None:
    if not has_data:
        st.info(empty)
        return
    st.plotly_chart(charts.cached_figure(figure, frame), width="stretch", config=config or charts.PLOTLY_CONFIG)


def _deals_at_risk(filters: DashboardFilters, today: date) -> None:
    medians = cached(Database.CRM, dashboards.get_stage_medians, shared=True, today=today)
    risky = cached(Database.CRM, dashboards.list_deals_at_risk, shared=True, filters=filters.snapshot(today),
                   today=today, limit=AT_RISK_ROWS, stage_medians=medians, stages=_stages())
    if risky.empty:
        st.success("No open deal is overdue or stuck in its stage.")
        return
    names = cached(Database.AUTH, people.get_user_names, shared=True, user_ids=tuple(sorted(set(risky["owner_id"]))))
    shown = pd.DataFrame({
        "Deal": risky["title"],
        "Company": risky["company"],
        "Amount": risky["amount"],
        "Close date": risky["close_date"].map(day),
        "Owner": risky["owner_id"].map(names).fillna("Former user"),
        "Why": risky["reason"],  # names the stage a deal is stuck in
    })
    deal_ids = risky["deal_id"].tolist()
    st.dataframe(
        shown, hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 420), key="dash_at_risk",
        on_select=lambda: _open_chosen(deal_ids), selection_mode="single-row",
        column_config={  # widths that fit the page at 1440 px, every column in view; the deal's title (which
            # usually names its company too) gets the most room
            "Deal": st.column_config.TextColumn(width=285),
            "Company": st.column_config.TextColumn(width=150),
            "Amount": st.column_config.NumberColumn(format="dollar", width=95),
            "Close date": st.column_config.TextColumn(width=95),
            "Owner": st.column_config.TextColumn(width=110),
            "Why": st.column_config.TextColumn(width=205),
        },
    )
    st.caption("Pick a deal to open it on the Deals tab.")


def _open_chosen(deal_ids: list[int]) -> None:
    """Selection callback: open the chosen deal on the Deals tab (a rerun of the whole page)."""
    rows = st.session_state["dash_at_risk"].selection.rows
    if rows:
        links.open_deal(deal_ids[rows[0]])
