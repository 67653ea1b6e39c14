"""The Campaigns & Leads page's ROI dashboard: filters, KPI cards, lead funnel, campaign comparison, table.

The report is computed in SQL by `marketing.flows.roi_report` (marketing and CRM databases); this module
caches it per user and filters (fresh after any write to either database) and draws it. The tab is one
fragment: changing the period or the types reruns it alone.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import DASH, money, percent
from nexus360.common.periods import quarter_of, today_utc
from nexus360.db import Database, data_generation
from nexus360.marketing import flows
from nexus360.marketing.schemas import CAMPAIGN_TYPES, RoiFilters, RoiReport
from nexus360.ui import charts, warming
from nexus360.ui.formatting import chart_text
from nexus360.ui.marketing.campaign_form import label
from nexus360.ui.session import current_principal, friendly_errors

PERIODS = ("Last 12 months", "This year", "This quarter", "All time", "Custom")
WARMED = PERIODS[:4]  # computed off the rerun path, for every campaign type, once the tab was shown (warm_reports)
BUDGET_GREY = "#8A94A6"
TOP_CAMPAIGNS = 12
# A write this process commits shows at once (the data generations below); the TTL only bounds how long a write
# made elsewhere (another app process, an import from the command line) takes to show: a few minutes is fine
# for a dashboard of months, and saves recomputing ~1M leads' counts every minute.
REPORT_TTL_SECONDS = 300
LABEL_MAX = 36  # characters of a campaign name beside its bars; the whole name is in the hover text
NAME_WIDTH = 270  # px: the table's other nine columns are "small" (75 px); 945 px in all at 1440


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


@st.cache_data(ttl=REPORT_TTL_SECONDS, show_spinner=False, max_entries=1000)
def _report(_principal: Principal, scope: tuple[str, ...], filters_json: str,
            generations: tuple[int, int]) -> RoiReport:
    # The report is the same for everyone with the same permissions (no per-user rows in it), so it is keyed by
    # those (`scope`), not by the user: the first to open a period computes it for all. Also keyed by the
    # filters and by the data generations of both databases it reads: any write this process commits to either
    # makes the next read fresh.
    return flows.roi_report(_principal, filters=RoiFilters.model_validate_json(filters_json))


@st.fragment
def roi_tab() -> None:
    today = today_utc()
    filters = roi_filters(today)
    generations = (data_generation(Database.MARKETING), data_generation(Database.CRM))
    with friendly_errors():
        principal = current_principal()
        report = _report(principal, tuple(sorted(principal.permissions)), filters.model_dump_json(), generations)
    report_view(report)
    warm_reports(principal, today)


def warm_reports(principal: Principal, today: date) -> threading.Thread | None:
    """Compute, in the background, the report of each period people choose (WARMED, all types) for this
    principal's scope, as roi_tab reads it, so that choosing one is a cache hit (nexus360.ui.warming); once per
    scope, data generations and day. The thread, or None when nothing is left to warm."""
    scope = tuple(sorted(principal.permissions))
    generations = (data_generation(Database.MARKETING), data_generation(Database.CRM))
    chosen = [RoiFilters(date_from=start, date_to=end, campaign_types=[])
              for start, end in (period(choice, today) for choice in WARMED)]
    return warming.warm(("roi", scope, generations, today),
                        [partial(_report, principal, scope, filters.model_dump_json(), generations)
                         for filters in chosen])


def report_view(report: RoiReport) -> None:
    """The report's cards, charts and table."""
    if not report.campaigns and not report.totals.leads:
        st.info("No campaigns or leads in this period. Choose a longer period, such as All time, or clear the "
                "campaign types.", icon=":material/filter_alt_off:")
        return
    kpi_cards(report)
    frame = campaign_frame(report)
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
        spent = frame[frame["campaign_id"].notna() & ((frame["budget"].fillna(0) > 0) | (frame["won_revenue"] > 0))]
        if spent.empty:
            st.info("No campaign has a budget or won revenue in this period.")
        else:
            st.caption(chart_caption(len(spent)))
            st.plotly_chart(comparison_chart(spent), config=charts.PLOTLY_CONFIG, width="stretch")
    st.subheader("Campaigns")
    campaigns = int(frame["campaign_id"].notna().sum())
    st.caption(f"{campaigns:,} campaign{'' if campaigns == 1 else 's'} in the period, best return first. "
               "Revenue counts the deals that converted leads became.")
    campaign_table(frame)


def chart_caption(count: int) -> str:
    """What the comparison chart shows, counted as it is drawn."""
    if count > TOP_CAMPAIGNS:
        return f"The {TOP_CAMPAIGNS} of {count:,} campaigns that spent or earned most in the period."
    if count == 1:
        return "The one campaign with a budget or won revenue in the period."
    return f"The {count} campaigns with a budget or won revenue in the period."


def kpi_cards(report: RoiReport) -> None:
    totals = report.totals
    cards = st.columns(5)
    cards[0].metric("Campaign leads", f"{totals.leads:,}", f"{totals.qualified:,} qualified", delta_color="off",
                    delta_arrow="off", border=True, help="Leads that came from a campaign (they carry its cost)")
    cards[1].metric("Conversion rate", percent(totals.conversion_rate), f"{totals.converted:,} converted",
                    delta_color="off", delta_arrow="off", border=True, help="Converted leads ÷ all leads")
    cards[2].metric("Cost / conversion", money(totals.cost_per_converted), f"{money(totals.cost_per_lead)} per lead",
                    delta_color="off", delta_arrow="off", border=True, help="Budget ÷ converted leads, and ÷ leads")
    cards[3].metric("Won revenue", money(totals.won_revenue), f"{money(totals.pipeline_value)} in pipeline",
                    delta_color="off", delta_arrow="off", border=True,
                    help="Deals from converted leads: won, and still open")
    cards[4].metric("ROI", DASH if totals.roi is None else f"{totals.roi:+.0%}", f"on {money(totals.budget)} budget",
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


def chart_names(rows: pd.DataFrame) -> list[str]:
    """Campaign names as they read beside the bars: told apart by their start month when two are called the same
    (Plotly would draw them as one), shortened past LABEL_MAX characters (the hover text has the whole name)."""
    names = list(rows["name"])
    starts = [f" ({start:%b %Y})" if isinstance(start, date) else "" for start in rows["start_date"]]
    names = [name + start if names.count(name) > 1 else name for name, start in zip(names, starts, strict=True)]
    return [name if len(name) <= LABEL_MAX else name[: LABEL_MAX - 1].rstrip() + "…" for name in names]


def comparison_chart(frame: pd.DataFrame) -> go.Figure:
    """Budget against won revenue for the campaigns that spent or earned most, largest on top.

    Names are what people wrote: escaped for Plotly, which reads HTML in labels and hover text (a name with a
    link stays text).
    """
    rows = frame.assign(size=frame[["budget", "won_revenue"]].fillna(0).max(axis=1)).nlargest(TOP_CAMPAIGNS, "size")
    names = [chart_text(name) for name in chart_names(rows)]
    whole = [chart_text(name) for name in rows["name"]]
    figure = go.Figure()
    figure.add_bar(y=names, x=rows["budget"], name="Budget", orientation="h", marker_color=BUDGET_GREY,
                   customdata=whole, hovertemplate="%{customdata}<br>Budget $%{x:,.0f}<extra></extra>")
    figure.add_bar(y=names, x=rows["won_revenue"], name="Won revenue", orientation="h", marker_color=charts.BRAND,
                   customdata=whole, hovertemplate="%{customdata}<br>Won $%{x:,.0f}<extra></extra>")
    charts.style(figure, height=max(300, 44 * len(rows) + 60))
    figure.update_layout(barmode="group")
    figure.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)", automargin=True, ticksuffix="  ")
    figure.update_xaxes(showgrid=True, gridcolor="#E6E9EF", tickprefix="$", tickformat="~s")
    return charts.legend_on_top(figure)


def campaign_frame(report: RoiReport) -> pd.DataFrame:
    """One row per campaign (and the leads without one)."""
    rows = [row.model_dump() for row in report.campaigns]
    frame = pd.DataFrame(rows, columns=list(type(report.totals).model_fields))
    for column in ("budget", "cost_per_lead", "cost_per_converted", "pipeline_value", "won_revenue"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["type"] = frame["type"].map(lambda t: label(t) if isinstance(t, str) else "")
    frame["status"] = frame["status"].map(lambda s: label(s) if isinstance(s, str) else "")
    return frame


# What a manager funds by first (budget, won, ROI), then the funnel figures; all of it fits 1440 px with whole
# campaign names (the types are a filter above).
TABLE_COLUMNS = ["name", "budget", "won_revenue", "roi", "leads", "qualification_rate", "conversion_rate",
                 "cost_per_lead", "cost_per_converted", "pipeline_value"]


def campaign_table(frame: pd.DataFrame) -> None:
    # Rates and ROI as whole percentages: two decimals of a percentage are noise here.
    shown = frame.assign(**{column: frame[column].astype(float) * 100
                            for column in ("qualification_rate", "conversion_rate", "roi")})
    number = st.column_config.NumberColumn
    st.dataframe(
        shown.sort_values("roi", ascending=False, na_position="last")[TABLE_COLUMNS],
        hide_index=True,
        width="stretch",
        placeholder=DASH,
        column_config={
            "name": st.column_config.TextColumn("Campaign", pinned=True, width=NAME_WIDTH),
            "budget": number("Budget ($)", format="compact", width="small"),
            "won_revenue": number("Won ($)", format="compact", width="small"),
            "roi": number("ROI", format="%+.0f%%", width="small", help="(won revenue − budget) ÷ budget"),
            "leads": number("Leads", format="%d", width="small"),
            "qualification_rate": number("Qualified", format="%.0f%%", width="small",
                                         help="Share of leads that reached qualified"),
            "conversion_rate": number("Converted", format="%.0f%%", width="small", help="Converted leads ÷ leads"),
            "cost_per_lead": number("Per lead", format="dollar", width="small", help="Budget ÷ leads"),
            "cost_per_converted": number("Per conv.", format="dollar", width="small",
                                         help="Budget ÷ converted leads"),
            "pipeline_value": number("Pipeline ($)", format="compact", width="small",
                                     help="Open deals from converted leads"),
        },
    )
