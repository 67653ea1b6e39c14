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
    if items:
        ids = [item.id for item in items]
        titles = {item.id: item.title for item in items}
        current = current_id()
        picked = st.radio("Conversations", ids, index=ids.index(current) if current in ids else None,
                          format_func=lambda conversation_id: escape_markdown(titles[conversation_id]),
                          key=f"assistant_list_{current}", label_visibility="collapsed")
        if picked is not None and picked != current:
            open_conversation(picked)
            st.rerun()
    chosen = next((item for item in items if item.id == current_id()), None)
    if chosen is not None:
        st.caption(_when(chosen))
        _actions(chosen)


def _when(item) -> str:
    return f"Last message {item.updated_at:%d %b %Y, %H:%M} UTC" if item.updated_at else "No message yet"


def _actions(item) -> None:
    with st.popover("Rename", icon=":material/edit:", width="stretch"), \
            st.form(f"assistant_rename_{item.id}", border=False):
        title = st.text_input("Title", value=item.title, max_chars=255)
        saved = st.form_submit_button("Save title")
    if saved and submit(Database.CHAT, service.rename_conversation, conversation_id=item.id,
                        title=title) is not FAILED:
        st.rerun()
    with st.popover("Delete", icon=":material/delete:", width="stretch"):
        st.write("Delete this conversation and all its messages? This cannot be undone.")
        confirmed = st.button("Delete for good", type="primary", key=f"assistant_delete_{item.id}")
    if confirmed and submit(Database.CHAT, service.delete_conversation, conversation_id=item.id) is not FAILED:
        open_conversation(None)
        st.toast("Conversation deleted.")
        st.rerun()
