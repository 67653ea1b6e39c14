"""The Campaigns & Leads page's ROI dashboard: filters, KPI cards, lead funnel, campaign comparison, table.

The report is computed in SQL by `marketing.flows.roi_report` (marketing and CRM databases); this module
only caches it per user and filters, and draws it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money, percent
from nexus360.common.periods import quarter_of, today_utc
from nexus360.marketing import flows
from nexus360.marketing.schemas import CAMPAIGN_TYPES, RoiFilters, RoiReport
from nexus360.ui import charts
from nexus360.ui.marketing.campaigns import label
from nexus360.ui.session import CACHE_TTL_SECONDS, current_principal, friendly_errors

PERIODS = ("Last 12 months", "This year", "This quarter", "All time", "Custom")
BUDGET_GREY = "#8A94A6"
TOP_CAMPAIGNS = 12


def period(choice: str, today: date) -> tuple[date | None, date | None]:
    """The date range a period choice stands for (None, None: all time)."""
    if choice == "This year":
        return date(today.year, 1, 1), today
    if choice == "This quarter":
        return quarter_of(today).start, today
    if choice == "All time":
        return None, None
    return today - timedelta(days=365), today


def roi_filters(today: date) -> RoiFilters:
    period_col, types_col = st.columns([2, 3])
    choice = period_col.selectbox("Period", PERIODS, key="roi_period",
                                  help="Leads created in the period; campaigns running at some time in it.")
    start, end = period(choice, today)
    if choice == "Custom":
        picked = period_col.date_input("From – to", value=(today - timedelta(days=90), today), key="roi_dates")
        start, end = (tuple(picked) + (None, None))[:2]
    types = types_col.multiselect("Campaign types", list(CAMPAIGN_TYPES), format_func=label, key="roi_types",
                                  placeholder="All types")
    return RoiFilters(date_from=start, date_to=end, campaign_types=sorted(types))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=1_000)
def _report(principal: Principal, filters_json: str) -> RoiReport:
    # Keyed by the user (their scope) and the filters; cleared with st.cache_data.clear() after writes.
    return flows.roi_report(principal, filters=RoiFilters.model_validate_json(filters_json))


def roi_tab() -> None:
    filters = roi_filters(today_utc())
    with friendly_errors():
        report = _report(current_principal(), filters.model_dump_json())
    if not report.campaigns and not report.totals.leads:
        st.info("No campaigns or leads match these filters.")
        return
    kpi_cards(report)
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Lead funnel")
        st.caption("Every lead of the period, with or without a campaign.")
        if report.funnel and report.funnel[0][1]:
            st.plotly_chart(funnel_chart(report.funnel), config=charts.PLOTLY_CONFIG, width="stretch")
        else:
            st.info("No leads came in during this period.")
    with right:
        st.subheader("Budget and won revenue by campaign")
        st.caption(f"The {TOP_CAMPAIGNS} campaigns that spent or earned most in the period.")
        frame = campaign_frame(report)
        shown = frame[frame["campaign_id"].notna()]
        if shown.empty or not (shown["budget"].fillna(0).sum() or shown["won_revenue"].sum()):
            st.info("No campaign has a budget or won revenue in this period.")
        else:
            st.plotly_chart(comparison_chart(shown), config=charts.PLOTLY_CONFIG, width="stretch")
    st.subheader("Campaigns")
    st.caption("Best return first. Revenue counts the deals that converted leads became.")
    campaign_table(frame)


def kpi_cards(report: RoiReport) -> None:
    totals = report.totals
    cards = st.columns(5)
    cards[0].metric("Campaign leads", f"{totals.leads:,}", f"{totals.qualified:,} qualified", delta_color="off",
                    delta_arrow="off", border=True, help="Leads that came from a campaign (they carry its cost)")
    cards[1].metric("Conversion rate", percent(totals.conversion_rate), f"{totals.converted:,} converted",
                    delta_color="off", delta_arrow="off", border=True, help="Converted leads ÷ all leads")
    cards[2].metric("Cost / conversion", money(totals.cost_per_converted), border=True,
                    help=f"Budget ÷ converted leads; cost per lead {money(totals.cost_per_lead)}")
    cards[3].metric("Won revenue", money(totals.won_revenue), f"{money(totals.pipeline_value)} in pipeline",
                    delta_color="off", delta_arrow="off", border=True,
                    help="Deals from converted leads: won, and still open")
    cards[4].metric("ROI", "–" if totals.roi is None else f"{totals.roi:+.0%}", f"on {money(totals.budget)} budget",
                    delta_color="off", delta_arrow="off", border=True, help="(won revenue − budget) ÷ budget")


def funnel_chart(funnel: list[tuple[str, int]]) -> go.Figure:
    stages = [stage for stage, _count in funnel]
    counts = [count for _stage, count in funnel]
    first = counts[0] or 1
    figure = go.Figure(
        go.Funnel(
            y=stages, x=counts, customdata=[count / first for count in counts],
            texttemplate="%{x:,} · %{customdata:.0%}", textposition="auto",
            hovertemplate="%{y}: %{x:,} leads (%{customdata:.1%} of all)<extra></extra>",
            marker=dict(color=charts.SEQUENCE[: len(stages)]),
            connector=dict(fillcolor="#EEF2F7", line=dict(width=0)),
        )
    )
    return charts.style(figure).update_yaxes(showgrid=False)


def comparison_chart(frame: pd.DataFrame) -> go.Figure:
    """Budget against won revenue for the campaigns that spent or earned most, largest on top."""
    rows = frame.assign(size=frame[["budget", "won_revenue"]].fillna(0).max(axis=1)).nlargest(TOP_CAMPAIGNS, "size")
    figure = go.Figure()
    figure.add_bar(y=rows["name"], x=rows["budget"], name="Budget", orientation="h", marker_color=BUDGET_GREY,
                   hovertemplate="%{y}<br>Budget $%{x:,.0f}<extra></extra>")
    figure.add_bar(y=rows["name"], x=rows["won_revenue"], name="Won revenue", orientation="h",
                   marker_color=charts.BRAND, hovertemplate="%{y}<br>Won $%{x:,.0f}<extra></extra>")
    charts.style(figure, height=max(300, 44 * len(rows) + 60))
    figure.update_layout(barmode="group")
    figure.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)", automargin=True, ticksuffix="  ")
    figure.update_xaxes(showgrid=True, gridcolor="#E6E9EF", tickprefix="$", tickformat="~s")
    return charts.legend_on_top(figure)


def campaign_frame(report: RoiReport) -> pd.DataFrame:
    """One row per campaign (and the leads without one), then the totals."""
    rows = [row.model_dump() for row in report.campaigns]
    frame = pd.DataFrame(rows, columns=list(type(report.totals).model_fields))
    for column in ("budget", "cost_per_lead", "cost_per_converted", "pipeline_value", "won_revenue"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["type"] = frame["type"].map(lambda t: label(t) if isinstance(t, str) else "")
    frame["status"] = frame["status"].map(lambda s: label(s) if isinstance(s, str) else "")
    return frame


def campaign_table(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info("No campaigns match.")
        return
    # Rates and ROI as whole percentages: two decimals of a percentage are noise here.
    shown = frame.assign(**{column: frame[column].astype(float) * 100
                            for column in ("qualification_rate", "conversion_rate", "roi")})
    number = st.column_config.NumberColumn
    st.dataframe(
        shown.sort_values("roi", ascending=False, na_position="last"),
        hide_index=True,
        width="stretch",
        # What a manager funds by first (budget, won, ROI); the funnel figures after.
        column_order=["name", "type", "budget", "won_revenue", "roi", "leads", "qualification_rate", "converted",
                      "conversion_rate", "cost_per_lead", "cost_per_converted", "pipeline_value"],
        column_config={
            "name": st.column_config.TextColumn("Campaign", pinned=True),
            "type": "Type",
            "budget": number("Budget ($)", format="compact"),
            "leads": number("Leads", format="%d"),
            "qualification_rate": number("Qualified", format="%.0f%%", help="Share of leads that reached qualified"),
            "converted": number("Converted", format="%d"),
            "conversion_rate": number("Conv. rate", format="%.0f%%", help="Converted leads ÷ leads"),
            "cost_per_lead": number("Cost / lead", format="dollar"),
            "cost_per_converted": number("Cost / conv.", format="dollar"),
            "pipeline_value": number("Pipeline ($)", format="compact", help="Open deals from converted leads"),
            "won_revenue": number("Won ($)", format="compact"),
            "roi": number("ROI", format="%+.0f%%", help="(won revenue − budget) ÷ budget"),
        },
    )
