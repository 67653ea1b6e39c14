"""Answering a question: the one entry point (`ask`) the page and the CLI use.

It spans databases: the chat database (the question, the passages, the answer) and, through the data
tools, the others (each tool opens its own read-only transactions as the asker). Nothing holds a
transaction open while the answer streams: the question is saved first, the answer once it is whole.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from nexus360.auth.schemas import Principal
from nexus360.chat import client, engine
from nexus360.chat.answers import engine as answers
from nexus360.chat.conversations import service as conversations
from nexus360.chat.conversations.schemas import AssistantMessageCreate
from nexus360.chat.knowledge import service as knowledge
from nexus360.chat.knowledge.schemas import SearchHit
from nexus360.chat.schemas import Citation, ToolRun
from nexus360.chat.tools import engine as planner
from nexus360.chat.tools import service as tools
from nexus360.chat.tools.schemas import openai_tools
from nexus360.common.errors import Nexus360Error
from nexus360.config import Settings, get_settings
from nexus360.db import Database, session_scope

log = logging.getLogger(__name__)
SOURCES = 6


@dataclass
class Answer:
    conversation_id: int
    message_id: int | None = None
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    tool_runs: list[ToolRun] = field(default_factory=list)
    tokens: int = 0
    prompt_tokens: int | None = None
    tokens_estimated: bool = True
    model: str = client.OFFLINE
    notice: str | None = None  # the provider failed or is misconfigured: said in the answer too


class AnswerStream:
    """The answer's text as it is written (iterate it, e.g. with st.write_stream); then `answer`."""

    def __init__(self, conversation_id: int, chunks: Iterator[str]) -> None:
        self.conversation_id = conversation_id
        self._chunks = chunks
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        yield from self._chunks

    def collect(self) -> Answer:
        for _chunk in self:
            pass
        assert self.answer is not None
        return self.answer


def ask(principal: Principal, *, question: str, conversation_id: int | None = None,
        settings: Settings | None = None) -> AnswerStream:
    """Save the question (in a new conversation unless one is given) and stream the answer to it."""
    settings = settings or get_settings()
    with session_scope(Database.CHAT, actor=principal) as session:
        if conversation_id is None:
            conversation_id = conversations.start_conversation(session, principal, question=question)
        conversations.add_question(session, principal, conversation_id=conversation_id, question=question)
        earlier = conversations.list_messages(session, principal, conversation_id=conversation_id,
                                              limit=answers.HISTORY_MESSAGES + 1)[:-1]
    question = conversations.clean_question(question)
    stream = AnswerStream(conversation_id, iter(()))
    stream._chunks = _answer(stream, principal, question, [(m.role, m.content) for m in earlier], settings)
    return stream


def search_passages(principal: Principal, *, query: str, settings: Settings | None = None, limit: int = SOURCES,
                    method: str = "rrf") -> tuple[list[SearchHit], str | None]:
    """The passages for `query` under the principal's audience; a failing provider falls back to full text."""
    settings = settings or get_settings()
    try:
        embedder = client.embedder(settings)
    except client.ProviderNotConfigured as error:
        embedder, note = client.LocalEmbedder(), str(error)
    else:
        note = None
    with session_scope(Database.CHAT, actor=principal) as session:
        try:
            with session.begin_nested():
                return knowledge.search(session, principal, query=query, embedder=embedder, limit=limit,
                                        method=method), note
        except client.ProviderError as error:
            hits = knowledge.search(session, principal, query=query, embedder=embedder, limit=limit, method="text")
            return hits, f"{error} Searched the knowledge base by its words only."


def _answer(stream: AnswerStream, principal: Principal, question: str, history: list[tuple[str, str]],
            settings: Settings) -> Iterator[str]:
    answer = Answer(conversation_id=stream.conversation_id)
    hits, answer.notice = search_passages(principal, query=question, settings=settings)
    try:
        model = client.language_model(settings)
    except client.ProviderNotConfigured as error:
        model, answer.notice = None, str(error)
    written: list[str] = []
    if model is not None:
        try:
            for chunk in _with_model(model, answer, principal, question, history, hits, settings):
                written.append(chunk)
                yield chunk
        except client.ProviderError as error:
            answer.notice = str(error)
            if written:
                tail = f"\n\n(The answer stopped: {error})"
                written.append(tail)
                yield tail
        else:
            answer.model = model.chat_model
            answer.text = "".join(written)
            answer.citations = answers.citations(hits, answers.cited_numbers(answer.text, len(hits)))
    if model is None or (answer.notice and not written):
        note = answers.NO_MODEL if model is None else f"{answer.notice} Here is what I found without the model."
        runs = answer.tool_runs or _planned_runs(principal, question)
        answer.tool_runs, answer.model, answer.prompt_tokens, answer.tokens_estimated = runs, client.OFFLINE, None, True
        text = answers.offline_answer(hits, runs, note=note)
        shown = hits[: answers.OFFLINE_SOURCES]
        answer.citations = answers.citations(shown, answers.cited_numbers(text, len(shown)))
        for chunk in answers.word_chunks(text):
            written.append(chunk)
            yield chunk
    answer.text = "".join(written)
    if answer.tokens_estimated:
        answer.tokens = engine.estimate_tokens(answer.text)
    with session_scope(Database.CHAT, actor=principal) as session:
        answer.message_id = conversations.add_answer(session, principal, conversation_id=answer.conversation_id,
                                                     answer=AssistantMessageCreate(
                                                         content=answer.text or "(no answer)", tokens=answer.tokens,
                                                         prompt_tokens=answer.prompt_tokens,
                                                         tokens_estimated=answer.tokens_estimated, model=answer.model,
                                                         citations=answer.citations, tool_runs=answer.tool_runs))
    stream.answer = answer


def _planned_runs(principal: Principal, question: str) -> list[ToolRun]:
    entities = tools.resolve_names(principal, planner.extract_names(question))
    return [tools.run_tool(principal, call.name, call.arguments) for call in planner.plan(question, entities)]


def _with_model(model: client.LanguageModel, answer: Answer, principal: Principal, question: str,
                history: list[tuple[str, str]], hits: list[SearchHit], settings: Settings) -> Iterator[str]:
    """Stream the model's answer, running the tools it calls (as the asker) between rounds."""
    messages = answers.build_messages(question, history, hits)
    prompt = completion = 0
    counted = False
    for round_number in range(settings.ai_max_tool_rounds + 1):
        offered = openai_tools() if round_number < settings.ai_max_tool_rounds else None
        text: list[str] = []
        calls: list[client.ToolCall] = []
        for event in model.stream_chat(messages, offered):
            if isinstance(event, client.TextDelta):
                text.append(event.text)
                yield event.text
            elif isinstance(event, client.ToolCalls):
                calls = event.calls
            elif isinstance(event, client.Usage):
                prompt, completion, counted = prompt + event.prompt_tokens, completion + event.completion_tokens, True
        if not calls:
            break
        messages.append({"role": "assistant", "content": "".join(text) or None, "tool_calls": [
            {"id": call.id, "type": "function",
             "function": {"name": call.name, "arguments": answers._data(call.arguments)}} for call in calls]})
        for call in calls:
            try:
                run = tools.run_tool(principal, call.name, call.arguments)
            except Nexus360Error as error:  # a database down: the model is told, the answer goes on
                run = ToolRun(tool=call.name, label=call.name, parameters=call.arguments, reason=str(error))
            answer.tool_runs.append(run)
            messages.append(answers.tool_result_message(call.id, run))
    if counted:
        answer.prompt_tokens, answer.tokens, answer.tokens_estimated = prompt, completion, False
