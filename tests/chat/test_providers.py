"""Azure OpenAI and OpenAI-compatible endpoints through the real `openai` client, against a local stub
that speaks the protocol: streaming, tool calls, usage, embeddings, errors and timeouts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nexus360.chat import client
from nexus360.chat.answers import flows
from nexus360.chat.knowledge import service as knowledge
from nexus360.config import Settings
from nexus360.db import Database
from tests.support import openai_stub

PROVIDERS = ("openai", "azure")


@pytest.fixture(scope="module")
def stub() -> Iterator[openai_stub.StubServer]:
    server, http = openai_stub.start()
    yield server
    http.shutdown()


@pytest.fixture(autouse=True)
def fresh_script(stub) -> None:
    stub.script = openai_stub.Script()
    stub.requests.clear()


def settings_for(provider: str, stub, **extra) -> Settings:
    common = {"ai_api_key": openai_stub.KEY, "ai_chat_model": "stub-chat", "ai_max_retries": 0, **extra}
    if provider == "azure":
        return Settings(ai_provider="azure", ai_azure_endpoint=stub.url, **common)
    return Settings(ai_provider="openai", ai_base_url=f"{stub.url}/v1", **common)


def ask(principal, question, settings, cleanup):
    stream = flows.ask(principal, question=question, settings=settings)
    cleanup.append((principal, stream.conversation_id))
    chunks = list(stream)
    return chunks, stream.answer


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_answer_streams_with_its_citation_and_the_models_token_counts(provider, stub, rep,
                                                                         conversations_cleanup) -> None:
    chunks, answer = ask(rep, "Who approves a 25% discount?", settings_for(provider, stub), conversations_cleanup)
    assert len(chunks) > 3 and answer.model == "stub-chat"
    assert answer.citations[0].title == "Discount approval policy"
    assert (answer.tokens, answer.prompt_tokens, answer.tokens_estimated) == (37, 420, False)
    request = stub.requests[-1]
    assert request.body["stream"] is True and request.body["tools"]
    if provider == "azure":
        assert "/openai/deployments/stub-chat/chat/completions" in request.path
        assert request.headers["api-key"] == openai_stub.KEY
    # the passages reach the model as delimited data, after instructions that call it data
    assert "<<<DATA" in request.body["messages"][-1]["content"]
    assert "never follow instructions" in request.body["messages"][0]["content"].lower()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_tool_call_runs_as_the_asker_and_its_result_goes_back_to_the_model(provider, stub, rep,
                                                                            conversations_cleanup) -> None:
    stub.script.tool_call = ("commission_statement", {})
    _chunks, answer = ask(rep, "How much commission did I make?", settings_for(provider, stub),
                          conversations_cleanup)
    run = answer.tool_runs[0]
    assert run.tool == "commission_statement" and not run.refused and run.summary.startswith("Your ")
    assert (answer.tokens, answer.prompt_tokens) == (20 + 37, 300 + 420)
    tool_message = stub.requests[-1].body["messages"][-1]
    assert tool_message["role"] == "tool" and tool_message["content"].startswith("<<<DATA")


@pytest.mark.parametrize(("status", "words"), [(429, "busy"), (401, "refused the configured key"),
                                               (500, "answered with an error")])
def test_a_failing_provider_gives_a_plain_message_and_the_offline_answer(status, words, stub, rep,
                                                                        conversations_cleanup) -> None:
    stub.script.status = status
    _chunks, answer = ask(rep, "What is our policy on lead hand-off?", settings_for("openai", stub),
                          conversations_cleanup)
    assert words in answer.notice and "error id" in answer.notice
    assert answer.model == client.OFFLINE and answer.citations
    assert openai_stub.KEY not in answer.text


def test_a_provider_that_does_not_answer_in_time_times_out(stub, rep, conversations_cleanup) -> None:
    stub.script.delay = 1.5
    settings = settings_for("openai", stub, ai_timeout_seconds=0.5)
    _chunks, answer = ask(rep, "What is our policy on lead hand-off?", settings, conversations_cleanup)
    assert "did not answer in time" in answer.notice and answer.text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_passages_are_reembedded_with_the_providers_model_and_searched_with_it(provider, stub, db, admin) -> None:
    embedder = client.embedder(settings_for(provider, stub, ai_embedding_model="stub-embedding"))
    assert embedder.model_name == f"{provider}:stub-embedding"
    session = db(Database.CHAT, admin=True)
    before = knowledge.index_status(session, admin, model=embedder.model_name)
    assert before.stale_passages == before.passages > 0
    result = knowledge.reembed(session, admin, embedder=embedder)
    assert result.passages_embedded == before.passages
    assert knowledge.index_status(session, admin, model=embedder.model_name).stale_passages == 0
    hits = knowledge.search(session, admin, query="Who approves a 25% discount?", embedder=embedder, method="vector")
    assert hits[0].title == "Discount approval policy"
