"""Connectors: the list, adding one, changing, testing, switching off and deleting it.

Secret fields are never filled in: they show where the stored secret comes from, and a value typed there
replaces it (stored encrypted, or as a reference when it is env:NAME / secrets:key).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from nexus360.config import get_settings
from nexus360.db import Database
from nexus360.integrations.connectors import flows as changes
from nexus360.integrations.connectors import service as connectors
from nexus360.integrations.connectors.schemas import AI, GRAPH, SMTP, TYPE_LABELS, WEBHOOK, ConnectorRead
from nexus360.integrations.probes import flows
from nexus360.jobs.schemas import EVENT_TYPES
from nexus360.ui.formatting import literal
from nexus360.ui.lists import selectable_table
from nexus360.ui.session import FAILED, call, submit_flow

SECRET_HELP = "Paste the secret (stored encrypted), or name env:VARIABLE or secrets:key. Empty keeps the stored one."


def connectors_tab() -> None:
    settings = get_settings()
    rows = call(Database.INTEGRATION, connectors.list_connectors, settings=settings)
    _shown_once()
    with st.expander("Add a connector", icon=":material/add:", expanded=not rows):
        _add_form()
    if not rows:
        return
    frame = pd.DataFrame([{
        "Name": row.name, "Type": row.type_label, "On": row.is_active, "Where": _where(row),
        "Secret": "; ".join(_short(described) for described in row.secrets.values()) or "—",
    } for row in rows])
    chosen = selectable_table("integration_connectors", frame, column_config={
        "On": st.column_config.CheckboxColumn("On", width="small")})
    if chosen is None:
        st.caption("Select a connector to change, test, switch off or delete it.")
        return
    _detail(rows[chosen])


def _short(described: str) -> str:
    """The secret's state for the table ('env variable, set'); the detail names the variable."""
    for source, short in (("environment variable ", "env variable"), ("secrets.toml key ", "secrets.toml")):
        if described.startswith(source):
            return f"{short}, {described.rsplit('(', 1)[-1].rstrip(')')}"
    return described


def _where(row: ConnectorRead) -> str:
    settings = row.settings
    if row.type == WEBHOOK:
        count = len(settings.get("events") or [])
        return f"{settings.get('url')} · {count} event{'' if count == 1 else 's'}"
    if row.type == SMTP:
        return f"{settings.get('host')}:{settings.get('port')} ({settings.get('security')})"
    if row.type == GRAPH:
        minutes = settings.get("sync_interval_minutes") or 0
        return f"syncs every {minutes} min" if minutes else "syncs when asked"
    if row.type == AI:
        return f"{settings.get('provider')} · {settings.get('chat_model')}"
    return "—"


def _shown_once() -> None:
    secret = st.session_state.pop("integrations_new_secret", None)
    if secret:
        st.success("Webhook added. Copy its signing secret into the receiver now: it is not shown again.",
                   icon=":material/key:")
        st.code(secret, language=None)


def _add_form() -> None:
    kind = st.selectbox("Type", list(TYPE_LABELS), format_func=TYPE_LABELS.get, key="integrations_add_type")
    with st.form(f"integrations_add_{kind}", border=False):
        name = st.text_input("Name", max_chars=100, placeholder="e.g. Finance webhook")
        values = _fields(kind, {}, key=f"add_{kind}")
        if st.form_submit_button("Add connector", type="primary"):
            created = submit_flow(changes.add_connector, type=kind, name=name, values=values,
                                  settings=get_settings())
            if created is not FAILED:
                if created.shown_once:
                    st.session_state["integrations_new_secret"] = created.shown_once
                st.toast(f"{created.connector.name} added.", icon=":material/check_circle:")
                st.rerun()


def _fields(kind: str, current: dict[str, Any], *, key: str) -> dict[str, Any]:
    """The inputs of one connector type, prefilled from `current`; returns what was entered."""
    if kind == WEBHOOK:
        return {
            "url": st.text_input("URL", value=current.get("url", ""), placeholder="https://example.com/hooks",
                                 key=f"{key}_url"),
            "events": st.multiselect("Events to send", list(EVENT_TYPES), default=current.get("events") or [],
                                     format_func=EVENT_TYPES.get, placeholder="Choose the events to send",
                                     key=f"{key}_events"),
            "secret": st.text_input("Signing secret", type="password", help="whsec_… from your receiver, or "
                                    "env:NAME. Empty: a new secret is made (shown once).", key=f"{key}_secret"),
            "allow_private": st.checkbox("Allow private and loopback addresses (internal receivers only)",
                                         value=bool(current.get("allow_private")), key=f"{key}_private"),
        }
    if kind == SMTP:
        left, middle, right = st.columns([3, 1, 2])
        return {
            "host": left.text_input("Host", value=current.get("host", ""), key=f"{key}_host"),
            "port": middle.number_input("Port", 1, 65535, value=int(current.get("port") or 587), key=f"{key}_port"),
            "security": right.selectbox("Security", ["starttls", "ssl", "none"], key=f"{key}_security",
                                        index=["starttls", "ssl", "none"].index(current.get("security", "starttls")),
                                        format_func={"starttls": "STARTTLS", "ssl": "TLS (SSL)", "none": "None"}.get),
            "username": st.text_input("User name", value=current.get("username") or "", key=f"{key}_user"),
            "password": st.text_input("Password", type="password", help=SECRET_HELP, key=f"{key}_password"),
            "from_address": st.text_input("From address", value=current.get("from_address", ""),
                                          placeholder="Nexus360 <notifications@example.com>", key=f"{key}_from"),
        }
    if kind == GRAPH:
        return {
            "tenant_id": st.text_input("Tenant ID", value=current.get("tenant_id") or "", key=f"{key}_tenant"),
            "client_id": st.text_input("Client ID", value=current.get("client_id") or "", key=f"{key}_client"),
            "client_secret": st.text_input("Client secret", type="password", help=SECRET_HELP, key=f"{key}_cs",
                                           placeholder="env:NEXUS360_GRAPH_CLIENT_SECRET"),
            "sync_interval_minutes": st.number_input("Sync every … minutes (0: only when asked)", 0, 10_080,
                                                     value=int(current.get("sync_interval_minutes") or 0),
                                                     key=f"{key}_every"),
            "full_sync_hours": st.number_input("Full listing every … hours", 1, 720,
                                               value=int(current.get("full_sync_hours") or 24), key=f"{key}_full"),
        }
    providers = ["azure", "openai"]
    return {
        "provider": st.selectbox("Provider", providers, index=providers.index(current.get("provider", "azure")),
                                 format_func={"azure": "Azure OpenAI", "openai": "OpenAI-compatible"}.get,
                                 key=f"{key}_provider"),
        "endpoint": st.text_input("Azure endpoint", value=current.get("endpoint") or "",
                                  placeholder="https://contoso.openai.azure.com", key=f"{key}_endpoint"),
        "base_url": st.text_input("Base URL (OpenAI-compatible)", value=current.get("base_url") or "",
                                  placeholder="https://api.openai.com/v1", key=f"{key}_base"),
        "api_version": st.text_input("API version (Azure)", value=current.get("api_version") or "2024-10-21",
                                     key=f"{key}_version"),
        "chat_model": st.text_input("Chat model (Azure: deployment)", value=current.get("chat_model") or "",
                                    key=f"{key}_chat"),
        "embedding_model": st.text_input("Embedding model (optional)", value=current.get("embedding_model") or "",
                                         key=f"{key}_embed"),
        "api_key": st.text_input("API key", type="password", help=SECRET_HELP, key=f"{key}_key"),
    }


def _detail(row: ConnectorRead) -> None:
    st.subheader(literal(row.name))
    st.caption(f"{row.type_label} · {'on' if row.is_active else 'switched off'}")
    for label, described in row.secrets.items():
        st.caption(f"{label}: {literal(described)}")
    test, toggle, delete = st.columns(3)
    if test.button("Test connection", icon=":material/network_check:", key=f"test_{row.id}", width="stretch"):
        with st.spinner("Trying the connection…"):
            result = submit_flow(flows.test_connection, name=row.name, settings=get_settings())
        if result is not FAILED:
            (st.success if result.ok else st.error)(f"{literal(result.message)} ({result.duration_ms:,} ms)")
    switched = toggle.button("Switch off" if row.is_active else "Switch on", key=f"toggle_{row.id}", width="stretch")
    if switched and submit_flow(changes.set_active, connector_id=row.id, active=not row.is_active,
                                settings=get_settings()) is not FAILED:
        st.rerun()
    if delete.button("Delete…", key=f"delete_{row.id}", width="stretch"):
        _confirm_delete(row)
    with st.form(f"edit_{row.id}"):
        name = st.text_input("Name", value=row.name, max_chars=100)
        values = _fields(row.type, row.settings, key=f"edit_{row.id}")
        if st.form_submit_button("Save changes", type="primary") and submit_flow(
                changes.update_connector, connector_id=row.id, values=values, name=name,
                settings=get_settings()) is not FAILED:
            st.toast(f"{name} saved.", icon=":material/check_circle:")
            st.rerun()


@st.dialog("Delete connector")
def _confirm_delete(row: ConnectorRead) -> None:
    st.write(f"{literal(row.name)} and its whole run log will be deleted; its queued deliveries are cancelled.")
    if st.button("Delete", type="primary") and submit_flow(changes.delete_connector,
                                                           connector_id=row.id) is not FAILED:
        st.rerun()
