"""The Assistant page: conversations and the chat (everyone with chat.use), the knowledge base (knowledge.manage).

Only the view that is shown runs: the knowledge base is a separate view, not a hidden tab, and the
chat area is a fragment, so asking a question reruns only the thread.
"""

from __future__ import annotations

import streamlit as st

from nexus360.chat import client
from nexus360.config import get_settings
from nexus360.db import Database
from nexus360.integrations.connectors import service as ai_connector
from nexus360.ui.chat import conversations, knowledge, thread
from nexus360.ui.session import call, current_principal

CHAT, KNOWLEDGE = "Chat", "Knowledge base"


def chat_page() -> None:
    principal = current_principal()
    st.title("Assistant")
    settings = call(Database.INTEGRATION, ai_connector.ai_settings, settings=get_settings())  # the page's AI connector
    st.caption(f"Answers come from the knowledge base and from the data you may see. Model: "
               f"{client.describe(settings)}.")
    view = CHAT
    if principal.has("knowledge.manage"):
        view = st.segmented_control("View", [CHAT, KNOWLEDGE], default=CHAT, key="assistant_view",
                                    label_visibility="collapsed") or CHAT
    if view == KNOWLEDGE:
        knowledge.knowledge_view(settings)
        return
    left, right = st.columns([1, 4], gap="medium")  # the answer's tables need the width
    with left:
        conversations.conversation_list()
    with right:
        thread.thread(settings)
