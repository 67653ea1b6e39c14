"""One conversation: its messages with their sources, "how I got this" and feedback; the question box.

Everything the user, a document or the model wrote is shown literally (escaped, line breaks kept); in an
answer, only the web and e-mail addresses its sources had are links (safety: a model or a document's
instructions cannot point anyone elsewhere). The thread is a fragment: asking reruns it alone; the answer
streams with st.write_stream.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import SALES_MANAGER
from nexus360.chat.answers import flows
from nexus360.chat.conversations import service
from nexus360.chat.conversations.schemas import MessageRead
from nexus360.config import Settings
from nexus360.db import Database
from nexus360.ui.chat.conversations import current_id, open_conversation
from nexus360.ui.formatting import addresses, literal, unlinked
from nexus360.ui.session import FAILED, call, current_principal, submit, submit_flow

TABLE_ROWS = 12  # a tool's table with more rows than this scrolls (a tool returns at most 25)
TABLE_HEIGHT = 560  # pixels: about 12 one-line rows, or 8 wrapped ones
EXAMPLES = {
    "manager": ["Which deals in my team slipped this month?", "How do I run the Monday forecast review?",
                "What is our discount approval policy?"],
    "marketer": ["What is our policy on lead hand-off?", "Which campaigns have the best ROI?",
                 "How are lead scores computed?"],
    "rep": ["How is my commission computed?", "Which of my deals close this month?",
            "Who approves a 25% discount?"],
}


@st.fragment
def thread(settings: Settings) -> None:
    conversation_id = current_id()
    messages = call(Database.CHAT, service.list_messages, conversation_id=conversation_id) if conversation_id else []
    if not messages:
        _welcome()
    for message in messages:
        with st.chat_message(message.role):
            st.markdown(literal(message.content) if message.role == "user" else
                        unlinked(message.content, keep=_sourced_addresses(message)))
            if message.role == "assistant":
                _details(message)
    question = st.chat_input("Ask about a policy, your deals, pipeline, commission or campaigns",
                             key="assistant_question", max_chars=service.QUESTION_MAX)
    question = question or st.session_state.pop("assistant_example", None)
    if question:
        _ask(question, conversation_id, settings)


def _welcome() -> None:
    principal = current_principal()
    role = "manager" if SALES_MANAGER in principal.roles or "admin" in principal.roles else (
        "marketer" if "marketer" in principal.roles else "rep")
    st.info("Ask a question in your own words. Answers cite the knowledge-base passages they use and show how "
            "figures were found; you only ever see data your role may see.", icon=":material/smart_toy:")
    st.caption("For example:")
    for example in EXAMPLES[role]:
        if st.button(example, key=f"assistant_example_{example}", icon=":material/chat:"):
            st.session_state["assistant_example"] = example
            st.rerun(scope="fragment")


def _ask(question: str, conversation_id: int | None, settings: Settings) -> None:
    with st.chat_message("user"):
        st.markdown(literal(question))
    stream = submit_flow(flows.ask, question=question, conversation_id=conversation_id, settings=settings)
    if stream is FAILED:
        return
    with st.chat_message("assistant"):
        _shown(stream)
    open_conversation(stream.conversation_id)
    if conversation_id is None:
        st.rerun()  # the new conversation appears in the list
    st.rerun(scope="fragment")


def _shown(stream: flows.AnswerStream) -> None:
    def escaped() -> Iterator[str]:
        """The chunks as text, each up to its last white space (an address split between two chunks is made
        inert whole); no address is a link until the answer is read back with its sources."""
        pending = ""
        for chunk in stream:
            pending += chunk
            cut = max(pending.rfind(" "), pending.rfind("\n")) + 1
            if cut:
                yield unlinked(pending[:cut])
                pending = pending[cut:]
        if pending:
            yield unlinked(pending)

    submit_flow(lambda _principal: st.write_stream(escaped()))


def _sourced_addresses(message: MessageRead) -> frozenset[str]:
    """The addresses in what the answer was written from: its passages and its tools' figures."""
    return addresses([citation.content for citation in message.citations]
                     + [text for run in message.tool_runs
                        for text in (run.summary, *(str(cell) for row in run.rows for cell in row))])


def _table(columns: list[str], rows: list[list]) -> None:
    """A tool's figures as a table within the answer's width: long text (a commission's explanation) wraps
    instead of widening the table. st.table reads Markdown in its cells, so each is shown literally."""
    frame = pd.DataFrame([[literal(cell) for cell in row] for row in rows], columns=[literal(c) for c in columns])
    st.table(frame, hide_index=True, border="horizontal",
             height=TABLE_HEIGHT if len(rows) > TABLE_ROWS else "content")


def _details(message: MessageRead) -> None:
    for run in message.tool_runs:  # the figures are part of the answer: asked "which deals?", see them
        if run.rows and not run.refused:
            st.caption(literal(run.label))
            _table(run.columns, run.rows)
    if message.citations:
        st.caption("Sources")
        for citation in message.citations:
            where = f"{citation.title} › {citation.heading}" if citation.heading else citation.title
            with st.popover(f"[{citation.number}] {literal(where)}", width="stretch"):
                st.markdown(f"**{literal(citation.title)}**")
                if citation.heading:
                    st.caption(literal(citation.heading))
                st.markdown(literal(citation.content))
    elif not message.tool_runs:
        st.caption("No source found in the knowledge base.")
    if message.tool_runs:
        with st.expander("How I got this", icon=":material/query_stats:"):
            for run in message.tool_runs:
                parameters = ", ".join(f"{key}: {value}" for key, value in run.parameters.items()) or "none"
                st.markdown(f"**{literal(run.label)}** · tool `{run.tool}` · parameters: "
                            f"{literal(parameters)}")
                if run.refused:
                    st.warning(literal(run.reason or "Refused."), icon=":material/lock:")
                    continue
                st.markdown(literal(run.summary or run.reason or "Nothing found."))
    _feedback(message)


def _feedback(message: MessageRead) -> None:
    left, middle, right = st.columns([1, 2, 3], vertical_alignment="center")
    with left:
        default = None if message.rating is None else (1 if message.rating > 0 else 0)
        value = st.feedback("thumbs", key=f"assistant_feedback_{message.id}", default=default)
    if value is not None and (1 if value == 1 else -1) != message.rating:
        submit(Database.CHAT, service.set_feedback, message_id=message.id, rating=1 if value == 1 else -1,
               comment=message.comment)
    if message.rating is not None:
        with middle.popover("Comment", icon=":material/comment:"), \
                st.form(f"assistant_comment_{message.id}", border=False):
            comment = st.text_area("What was good or wrong?", value=message.comment or "", max_chars=2000)
            saved = st.form_submit_button("Save comment")
        if saved and submit(Database.CHAT, service.set_feedback, message_id=message.id, rating=message.rating,
                            comment=comment) is not FAILED:
            st.toast("Thank you: your comment was saved.")
    tokens = f"{message.tokens:,} tokens" if message.tokens else ""
    if message.prompt_tokens:
        tokens += f" · {message.prompt_tokens:,} read"
    if message.tokens_estimated and tokens:
        tokens += " (estimated)"
    right.caption(f"{tokens} · {message.model or 'offline'}" if tokens else (message.model or "offline"))
