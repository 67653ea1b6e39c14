"""The conversation list: new, search (titles and messages), open, rename and delete (confirmed)."""

from __future__ import annotations

import streamlit as st

from nexus360.chat.conversations import service
from nexus360.db import Database
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import FAILED, call, submit

CURRENT = "assistant_conversation"  # the open conversation's id (None: a new one)


def current_id() -> int | None:
    return st.session_state.get(CURRENT)


def open_conversation(conversation_id: int | None) -> None:
    st.session_state[CURRENT] = conversation_id


def conversation_list() -> None:
    if st.button("New conversation", icon=":material/add_comment:", width="stretch", key="assistant_new"):
        open_conversation(None)
        st.rerun()
    search = st.text_input("Search conversations", key="assistant_search", placeholder="Title or words in it",
                           label_visibility="collapsed")
    items = call(Database.CHAT, service.list_conversations, search=search or "")
    if not items:
        st.caption("No conversation matches." if search else "No conversations yet: ask your first question.")
    for item in items:
        chosen = item.id == current_id()
        if st.button(escape_markdown(item.title), key=f"assistant_open_{item.id}", width="stretch",
                     type="primary" if chosen else "secondary", help=_when(item)):
            open_conversation(item.id)
            st.rerun()
    chosen = next((item for item in items if item.id == current_id()), None)
    if chosen is not None:
        _actions(chosen)


def _when(item) -> str:
    return f"Last message {item.updated_at:%d %b %Y, %H:%M} UTC" if item.updated_at else "New"


def _actions(item) -> None:
    rename, delete = st.columns(2)
    with rename.popover("Rename", icon=":material/edit:", width="stretch"), \
            st.form(f"assistant_rename_{item.id}", border=False):
        title = st.text_input("Title", value=item.title, max_chars=255)
        saved = st.form_submit_button("Save title")
    if saved and submit(Database.CHAT, service.rename_conversation, conversation_id=item.id,
                        title=title) is not FAILED:
        st.rerun()
    with delete.popover("Delete", icon=":material/delete:", width="stretch"):
        st.write("Delete this conversation and all its messages? This cannot be undone.")
        confirmed = st.button("Delete for good", type="primary", key=f"assistant_delete_{item.id}")
    if confirmed and submit(Database.CHAT, service.delete_conversation, conversation_id=item.id) is not FAILED:
        open_conversation(None)
        st.toast("Conversation deleted.")
        st.rerun()
