"""The forecast of a period and scope: the headline numbers, "why this number", the call and its adjustment."""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money, money_exact, percent
from nexus360.db import Database
from nexus360.forecasting import flows, service
from nexus360.forecasting.schemas import REP, TEAM, ForecastRead, Overview, Scope
from nexus360.ui.forecasting import charts
from nexus360.ui.forecasting.common import READS, changed, request_key, when
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import FAILED, cached, cached_flow, submit_flow

WHY_KEY = "fc_why"


def overview_tab(principal: Principal, *, period: str, scope: str) -> Overview:
    """Headline tiles, the waterfall of the chosen method, and the call panel."""
    found = cached_flow(flows.get_overview, databases=READS, period=period, scope=scope)
    _tiles(found)
    _notes(found)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _why(found)
    with right:
        _call_panel(principal, found)
    return found


def _tiles(found: Overview) -> None:
    baseline = found.method("baseline")
    weighted = found.method("weighted_pipeline")
    commit, best = found.method("commit"), found.method("best_case")
    call = found.adjusted or found.call
    cells = st.columns(5)
    cells[0].metric("Won so far", money(found.won), _of_quota(found.won, found.quota), delta_color="off",
                    delta_arrow="off", border=True, height="stretch")
    cells[1].metric("Commit", money(commit.value), f"Best Case {money(best.value)}", delta_color="off",
                    delta_arrow="off", border=True, height="stretch",
                    help="Commit = Closed + Commit deals; Best Case adds the Best Case deals.")
    cells[2].metric("Weighted pipeline", money(weighted.value), _of_quota(weighted.value, found.quota),
                    delta_color="off", delta_arrow="off", border=True, height="stretch",
                    help=weighted.explanation)
    band = (f"80%: {money(baseline.low)} – {money(baseline.high)}" if baseline.low is not None
            else "no interval yet")
    cells[3].metric("Statistical baseline", money(baseline.value), band, delta_color="off",
                    delta_arrow="off", border=True, height="stretch", help=baseline.explanation)
    label = "Adjusted call" if found.adjusted else "Call"
    cells[4].metric(label, money(call.value) if call else "–",
                    _of_quota(call.value, found.quota) if call else "not submitted yet", delta_color="off",
                    delta_arrow="off", border=True, height="stretch")


def _of_quota(value, quota) -> str:
    return f"{percent(float(value) / float(quota))} of {money(quota)} quota" if quota else "no quota set"


def _notes(found: Overview) -> None:
    parts = []
    if found.coverage is not None:
        still = found.quota - found.won
        parts.append(f"Coverage {found.coverage:.1f}×: {money(found.open_pipeline)} of open pipeline for the "
                     f"{money(still)} of quota still to close (3× is healthy).")
    elif found.quota and found.won >= found.quota:
        parts.append("Quota reached: everything from here is above plan.")
    if found.undated_deals:
        parts.append(f"{found.undated_deals} open deals ({money(found.undated_amount)}) have no close date, so no "
                     "period counts them: give them one in the CRM.")
    for part in parts:
        st.caption(part)


def _why(found: Overview) -> None:
    st.subheader("Why this number")
    methods = {method.method: method for method in found.methods}
    if found.call:
        methods["call"] = found.call
    if found.adjusted:
        methods["adjusted_call"] = found.adjusted
    labels = {key: f"{method.label}: {money(method.value)}" for key, method in methods.items()}
    key = keyed(WHY_KEY, found)  # per period and scope: the labels carry this view's amounts
    if st.session_state.get(key) not in labels:
        st.session_state[key] = "weighted_pipeline"
    chosen = methods[st.selectbox("Explain", list(labels), format_func=labels.get, key=key)]
    parts = [(factor.name, float(factor.value)) for factor in chosen.factors if factor.contributes]
    st.altair_chart(charts.waterfall(parts, total_label=chosen.label), width="stretch")
    st.caption(escape_markdown(chosen.explanation))
    for factor in chosen.factors:
        if not factor.contributes:
            verdict = "beats" if factor.value < 1 else "does not beat"
            st.caption(f"{escape_markdown(factor.name)}: {factor.value:.2f} (ETS {verdict} seasonal naive).")
    if chosen.method == "baseline" and chosen.confidence is not None:
        st.caption(f"Confidence {chosen.confidence:.0f}: the 80% interval {money(chosen.low)} – "
                   f"{money(chosen.high)} is ±{100 - float(chosen.confidence):.0f}% of the value.")


def keyed(name: str, found: Overview) -> str:
    """A widget key of this period and scope: switching either starts its widgets afresh (their defaults and
    labels are this view's numbers)."""
    return f"{name}_{found.period_code}_{found.scope.code}"


def _call_panel(principal: Principal, found: Overview) -> None:
    scope = found.scope
    own = scope.owner_id == principal.id and scope.kind in (REP, TEAM)
    st.subheader("Your call" if own else "The call")
    if found.call:
        who = cached(Database.AUTH, service.user_names, user_ids=tuple(sorted(
            {c.submitted_by for c in (found.call, found.adjusted) if c is not None and c.submitted_by})))
        _show(found.call, f"Called by {who.get(found.call.submitted_by, 'the rep')}")
        if found.adjusted:
            _show(found.adjusted, f"Adjusted by {who.get(found.adjusted.submitted_by, 'the manager')}")
    elif scope.kind == REP or own:
        st.info("No call yet for this period." + (" Submit yours: what you expect to close, with a note."
                                                  if own else ""), icon=":material/edit_note:")
    if own:
        _call_form(found, scope)
    elif scope.kind == REP and found.call and principal.has("forecasts.manage"):
        _adjust_form(found)
    elif scope.kind != REP and not own:
        st.caption("Calls are per person: see them on the Team tab, or pick a person above.")


def _show(call: ForecastRead, verb: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{money_exact(call.value)}** · {verb} {when(call.created_at)}")
        if call.note:
            st.caption(escape_markdown(call.note))


def _call_form(found: Overview, scope: Scope) -> None:
    default = float(found.call.value if found.call else found.method("commit").value)
    with st.form(keyed("fc_call", found), border=False):
        amount = st.number_input("Amount ($)", min_value=0.0, value=default, step=1000.0, format="%.2f",
                                 key=keyed("fc_call_amount", found),
                                 help="What you expect to close in the period, in total.")
        note = st.text_area("Note", key=keyed("fc_call_note", found), max_chars=2000,
                            placeholder="What the number rests on: the deals, the risks.")
        sent = st.form_submit_button("Submit call", type="primary", icon=":material/send:")
    if sent:
        saved = submit_flow(flows.submit_call, period=found.period_code, scope=scope.code, amount=amount, note=note,
                            request_key=request_key("call"))
        if saved is not FAILED:
            changed(f"Your {found.period_label} call of {money_exact(saved.value)} is submitted; your manager was "
                    "told.", form="call")


def _adjust_form(found: Overview) -> None:
    call = found.call
    with st.form(keyed("fc_adjust", found), border=False):
        amount = st.number_input("Adjusted amount ($)", min_value=0.0, value=float(call.value), step=1000.0,
                                 format="%.2f", key=keyed("fc_adjust_amount", found))
        note = st.text_area("Note *", key=keyed("fc_adjust_note", found), max_chars=2000,
                            placeholder="Why you adjust it: the rep reads this.")
        sent = st.form_submit_button("Adjust call", type="primary", icon=":material/tune:")
    if sent:
        saved = submit_flow(flows.adjust_call, call_id=call.id, amount=amount, note=note,
                            request_key=request_key("adjust"))
        if saved is not FAILED:
            changed(f"{found.scope_label}'s {found.period_label} call adjusted to {money_exact(saved.value)}; "
                    "they were told.", form="adjust")
