"""How good the forecasts have been: forecast against actual with the baseline's band, each method's error,
and whose calls can be trusted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import percent
from nexus360.forecasting.accuracy import flows as accuracy_flows
from nexus360.forecasting.schemas import Overview
from nexus360.ui.charts import PLOTLY_CONFIG
from nexus360.ui.forecasting import charts
from nexus360.ui.forecasting.common import READS
from nexus360.ui.session import cached_flow

KINDS = {"quarter": "Quarters", "month": "Months"}


@st.fragment
def accuracy_tab(principal: Principal, *, scope: str, current: Overview | None, mine: bool = False) -> None:
    """The last eight closed quarters (or months) of this view."""
    kind = st.segmented_control("Periods", list(KINDS), format_func=KINDS.get, default="quarter",
                                key="fc_accuracy_kind") or "quarter"
    found = cached_flow(accuracy_flows.get_accuracy, databases=READS, scope=scope, kind=kind, periods=8)
    if not any(point.forecasts for point in found.points):
        st.info("No forecast was kept for the closed periods of this view yet: accuracy appears once periods "
                "that were forecast have ended.", icon=":material/query_stats:")
    st.subheader("Forecast against actual")
    extra = None
    if current is not None and (kind == "quarter") == (len(current.period_code) == 7 and "Q" in current.period_code):
        baseline = current.method("baseline")
        extra = {"label": current.period_label, "value": float(baseline.value),
                 "low": float(baseline.low) if baseline.low is not None else None,
                 "high": float(baseline.high) if baseline.high is not None else None}
    st.plotly_chart(charts.forecast_vs_actual(found.points, current=extra), width="stretch", config=PLOTLY_CONFIG)
    st.caption("Each line is what the method said halfway through the period; the band is the baseline's 80% "
               "interval.")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("Error by method")
        rows = [{"Method": row.label, "Periods": row.periods, "MAPE": _pct(row.mape), "Bias": _signed(row.bias),
                 "MASE": f"{row.mase:.2f}" if row.mase is not None else "–"} for row in found.methods]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption("MAPE: average miss. Bias: above zero over-forecasts. MASE: error ÷ seasonal naive's (below 1 "
                   "beats simply repeating last year).")
    with right:
        st.subheader("My calls against what I won" if mine else "Whose calls to trust")
        if not found.reps:
            st.info("No calls were kept for closed periods yet.", icon=":material/person_search:")
        else:
            st.plotly_chart(charts.call_bias(found.reps), width="stretch", config=PLOTLY_CONFIG)
            st.caption("Left of zero: sandbagging (calls below what they win). Right: over-calling.")


def _pct(value: float | None) -> str:
    return percent(value) if value is not None else "–"


def _signed(value: float | None) -> str:
    return charts.bias_text(value) if value is not None else "–"
