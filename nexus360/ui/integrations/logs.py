"""The run log: filters, one page at a time (keyset), a payload view with secrets masked, and replays."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from nexus360.common.periods import today_utc
from nexus360.db import Database
from nexus360.integrations.logs import service as logs
from nexus360.integrations.logs.schemas import LogFilters, LogRead
from nexus360.integrations.webhooks import service as webhooks
from nexus360.jobs.schemas import EVENT_TYPES
from nexus360.ui.formatting import literal
from nexus360.ui.integrations.common import STATUS_LABELS, duration
from nexus360.ui.session import FAILED, cached, call, submit

STATUSES = {"All": None, "Succeeded": "success", "Failed": "failed"}
EVENT_LABELS = {**EVENT_TYPES, "directory_sync": "Directory sync", "test_connection": "Connection test",
                "mail_batch": "E-mail batch"}
PAGER = "integrations_log_pager"


def logs_tab() -> None:
    # The filters' choices change when a connector is added or renamed (here: the data generation makes the next
    # read fresh) or a new kind of run is logged (by the worker: within the cache's minute); the tiles and the page
    # of runs are read on every rerun. A rerun sends four statements (tests/pages/test_integrations.py).
    choices = cached(Database.INTEGRATION, logs.log_choices)
    names = {connector_id: name for connector_id, name, _type in choices.connectors}
    filters = _filters(names, choices.event_types)
    pager = st.session_state.setdefault(PAGER, {"filters": None, "afters": [None]})
    if pager["filters"] != filters:
        pager.update(filters=filters, afters=[None])
    page = call(Database.INTEGRATION, logs.list_logs, filters=filters, after=pager["afters"][-1])
    if not page.rows:
        st.info("No runs match these filters: widen the dates, or choose all integrations, statuses and events.",
                icon=":material/filter_alt_off:")
    else:
        chosen = _table(page.rows)
        _pager(pager, page.next_after)
        if chosen is not None:
            _detail(page.rows[chosen])
    _retry_since({connector_id: name for connector_id, name, kind in choices.connectors if kind == "webhook"})


def _filters(names: dict[int, str], events: tuple[str, ...]) -> LogFilters:
    integration_col, status_col, event_col, since_col, until_col = st.columns([3, 2, 3, 2, 2])
    integration = integration_col.selectbox("Integration", [None, *names], key="integrations_log_integration",
                                            format_func=lambda key: "All integrations" if key is None else names[key])
    status = status_col.selectbox("Status", list(STATUSES), key="integrations_log_status")
    event = event_col.selectbox("Event", [None, *events], key="integrations_log_event",
                                format_func=lambda key: "All events" if key is None else EVENT_LABELS.get(key, key))
    since = since_col.date_input("From (UTC)", value=today_utc() - timedelta(days=7), key="integrations_log_since")
    until = until_col.date_input("To (UTC)", value=today_utc(), key="integrations_log_until")
    return LogFilters(since=datetime.combine(since, time.min), until=datetime.combine(until, time.min)
                      + timedelta(days=1), integration_id=integration, status=STATUSES[status], event_type=event)


def _table(rows: list[LogRead]) -> int | None:
    frame = pd.DataFrame([{
        "Time (UTC)": row.created_at, "Integration": row.integration,
        "Event": EVENT_LABELS.get(row.event_type, row.event_type), "Status": STATUS_LABELS.get(row.status, row.status),
        "Attempt": str(row.attempt) if row.attempt else "—", "HTTP": str(row.status_code) if row.status_code else "—",
        "Duration": duration(row.duration_ms),
        "Error": _error_head(row.error),
    } for row in rows])
    event = st.dataframe(frame, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key="integrations_log_table", column_config={
                             "Time (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
                             "Integration": st.column_config.TextColumn(width="medium"),
                             "Attempt": st.column_config.TextColumn(width=64),
                             "HTTP": st.column_config.TextColumn(width=56),
                             "Duration": st.column_config.TextColumn(width=80),
                             "Error": st.column_config.TextColumn(width="large")})
    selected = event.selection.rows if event else []
    return selected[0] if selected else None


def _error_head(error: str | None) -> str:
    """The error's first line up to its first colon ("SMTP authentication failed"); the detail shows it whole."""
    if not error:
        return "—"
    return error.splitlines()[0].split(": ", 1)[0]


def _pager(pager: dict, next_after) -> None:
    left, middle, right = st.columns([1, 4, 1])
    if left.button("Previous", key="integrations_log_prev", disabled=len(pager["afters"]) == 1, width="stretch"):
        pager["afters"].pop()
        st.rerun()
    middle.caption(f"Page {len(pager['afters'])}" + ("" if next_after else " · end of list"))
    if right.button("Next", key="integrations_log_next", disabled=next_after is None, width="stretch"):
        pager["afters"].append(next_after)
        st.rerun()


def _detail(row: LogRead) -> None:
    detail = call(Database.INTEGRATION, logs.get_log, log_id=row.id)
    st.subheader(f"{literal(row.integration)}: {literal(EVENT_LABELS.get(row.event_type, row.event_type))}")
    st.caption(f"{row.created_at:%Y-%m-%d %H:%M:%S} UTC · {STATUS_LABELS.get(row.status, row.status)}"
               + (f" · attempt {row.attempt}" if row.attempt else "")
               + (f" · HTTP {row.status_code}" if row.status_code else "")
               + (f" · webhook-id {literal(row.message_id)}" if row.message_id else ""))
    if row.error:
        st.error(literal(row.error), icon=":material/error:")
    payload, response = st.columns(2)
    with payload:
        st.markdown("**Payload** (secrets masked)")
        if detail.payload is None:
            st.caption("No payload recorded.")
        else:
            st.json(detail.payload, expanded=2)
    with response:
        st.markdown("**Response**")
        if detail.response_excerpt:
            st.code(detail.response_excerpt, language=None)
        else:
            st.caption("No response body.")
    if detail.can_retry and st.button("Send again", icon=":material/replay:", key=f"retry_{row.id}"):
        name = submit(Database.INTEGRATION, webhooks.retry_log, log_id=row.id)
        if name is not FAILED:
            st.toast(f"Queued again for {name}; the worker sends it within seconds.", icon=":material/schedule:")


def _retry_since(hooks: dict[int, str]) -> None:
    if not hooks:
        return
    with (st.expander("Send again everything that failed since…", icon=":material/replay:"),
          st.form("integrations_retry_since", border=False)):
            day_col, time_col, hook_col = st.columns([2, 2, 3])
            day = day_col.date_input("Since (UTC)", value=today_utc() - timedelta(days=1))
            moment = time_col.time_input("Time", value=time(0, 0))
            hook = hook_col.selectbox("Webhook", [None, *hooks],
                                      format_func=lambda key: "All webhooks" if key is None else hooks[key])
            if st.form_submit_button("Queue failed deliveries again"):
                count = submit(Database.INTEGRATION, webhooks.retry_failed_since,
                               since=datetime.combine(day, moment), connector_id=hook)
                if count is not FAILED:
                    st.toast(f"{count:,} failed deliver{'y' if count == 1 else 'ies'} queued again.",
                             icon=":material/schedule:")
