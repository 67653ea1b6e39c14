"""The Templates tab (notifications.manage): what each kind of notification says. Edit the subject and body
with the type's variables, see it rendered on a sample as you type (text and HTML parts), save or go back
to the default. A save that would not render is refused with the part and the line."""

from __future__ import annotations

import hashlib

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from nexus360.db import Database
from nexus360.notifications.templates import service as templates
from nexus360.notifications.templates.engine import BODY_MAX, SUBJECT_MAX
from nexus360.notifications.templates.schemas import TemplateRead
from nexus360.ui.formatting import literal
from nexus360.ui.session import FAILED, cached, call, submit

DB = Database.NOTIFICATIONS
MANAGE = templates.MANAGE


@st.fragment
def templates_tab() -> None:
    listed = cached(DB, templates.list_templates)
    labels = {item.type: item.label + (" (edited)" if item.customised else "") for item in listed}
    chosen = st.selectbox("Message", list(labels), format_func=labels.get, key="notification_template_type")
    template = cached(DB, templates.get_template, type=chosen)
    if template.critical:
        st.caption("Critical: people cannot turn this message off.")
    st.caption(literal(template.description))
    key = _version_key(template)
    editor, preview = st.columns(2, gap="large")
    with editor:
        subject = st.text_input("Subject", value=template.subject, max_chars=SUBJECT_MAX, key=f"{key}_subject")
        body = st.text_area("Body", value=template.body, height=220, max_chars=BODY_MAX, key=f"{key}_body",
                            help="Write {{ variable }} where a value goes; {% if comment %}…{% endif %} shows a part "
                                 "only when there is a value.")
        save, reset = st.columns(2)
        pressed = save.button("Save template", type="primary", icon=":material/save:", width="stretch",
                              key=f"{key}_save")
        if pressed and submit(DB, templates.save_template, type=chosen, subject=subject, body=body) is not FAILED:
            st.toast(f"Saved: {literal(template.label)}.", icon=":material/check_circle:")
            _rerun_tab()
        if reset.button("Back to the default", icon=":material/restart_alt:", width="stretch", key=f"{key}_reset",
                        disabled=not template.customised):
            call(DB, templates.reset_template, type=chosen)
            st.toast(f"{literal(template.label)}: back to the default.", icon=":material/restart_alt:")
            _rerun_tab()
        st.markdown("**Variables**")
        st.markdown("\n".join(f"- `{{{{ {item.path} }}}}` :small[{literal(item.description)} · e.g. "
                               f"{literal(item.sample)}]" for item in template.variables))
    with preview:
        _preview(chosen, subject, body)


def _preview(type: str, subject: str, body: str) -> None:
    st.markdown("**Preview on a sample**")
    shown = call(DB, templates.preview, type=type, subject=subject, body=body)
    if shown.problem:
        st.error(literal(shown.problem), icon=":material/error:")
        return
    with st.container(border=True):
        st.caption("In the app and the e-mail's subject")
        st.markdown(f"**{literal(shown.subject)}**")
        st.markdown(literal(shown.text))
    st.caption("The e-mail's HTML part (the data escaped)")
    with st.container(border=True):
        st.html(shown.html)


def _version_key(template: TemplateRead) -> str:
    """Fresh widgets whenever the saved template changes (a save, a reset, another editor)."""
    digest = hashlib.blake2b(f"{template.subject}\x00{template.body}".encode(), digest_size=4).hexdigest()
    return f"notification_template_{template.type}_{digest}"


def _rerun_tab() -> None:
    """Rerun this tab alone when it runs alone (a fragment rerun), else the page."""
    context = get_script_run_ctx()
    st.rerun(scope="fragment" if context is not None and context.fragment_ids_this_run else "app")
