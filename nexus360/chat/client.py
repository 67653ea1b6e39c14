"""The AI provider's protocol: chat with streaming and tool calls, and embeddings, through `openai`.

`offline` (the default) has no language model; its embedder is the local method of `engine`.
`azure` talks to Azure OpenAI (deployments, api-version, `api-key` header), `openai` to any endpoint
that speaks OpenAI's protocol. Errors become one plain sentence with an error id; the details (host,
status, body) go to the log under that id, the key never does.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from nexus360.chat import engine
from nexus360.common.errors import Nexus360Error
from nexus360.config import Settings

log = logging.getLogger(__name__)
OFFLINE = "offline"


class ProviderError(Nexus360Error):
    """The AI provider failed; the message is for people, the details are in the log under `error_id`."""

    def __init__(self, message: str, *, error_id: str) -> None:
        self.error_id = error_id
        super().__init__(f"{message} (error id {error_id})")


class ProviderNotConfigured(Nexus360Error):
    """A setting the chosen provider needs is missing."""


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCalls:
    calls: list[ToolCall]


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int


Event = TextDelta | ToolCalls | Usage


class Embedder(Protocol):
    model_name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class LocalEmbedder:
    """The offline embedding (engine.embed_local): no key, no download."""

    model_name: str = engine.LOCAL_MODEL

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [engine.embed_local(text) for text in texts]


@dataclass
class LanguageModel:
    """A chat model (and, when configured, an embedding model) behind the OpenAI protocol."""

    provider: str
    chat_model: str
    embedding_model: str | None
    client: Any = field(repr=False)

    @property
    def model_name(self) -> str:  # what an embedding row records: the provider and its model
        return f"{self.provider}:{self.embedding_model}"

    def stream_chat(self, messages: list[dict], tools: list[dict] | None = None) -> Iterator[Event]:
        """Stream one answer: text deltas, then the tool calls the model asked for (if any), then usage."""
        options: dict[str, Any] = {"stream_options": {"include_usage": True}}
        if tools:
            options["tools"] = tools
        with _translated(self.provider):
            stream = self.client.chat.completions.create(
                model=self.chat_model, messages=messages, stream=True, **options
            )
            calls: dict[int, dict[str, str]] = {}
            for chunk in stream:
                if getattr(chunk, "usage", None):
                    yield Usage(chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
                for choice in chunk.choices or ():
                    delta = choice.delta
                    if delta is None:
                        continue
                    if delta.content:
                        yield TextDelta(delta.content)
                    for call in delta.tool_calls or ():
                        entry = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                        entry["id"] = call.id or entry["id"]
                        if call.function is not None:
                            entry["name"] += call.function.name or ""
                            entry["arguments"] += call.function.arguments or ""
            if calls:
                yield ToolCalls([_tool_call(entry) for _index, entry in sorted(calls.items())])

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not self.embedding_model:
            raise ProviderNotConfigured("No embedding model is configured (NEXUS360_AI_EMBEDDING_MODEL).")
        vectors: list[list[float]] = []
        with _translated(self.provider):
            for start in range(0, len(texts), 64):
                batch = list(texts[start:start + 64])
                response = self.client.embeddings.create(model=self.embedding_model, input=batch)
                vectors += [engine.fit_dimensions(item.embedding) for item in sorted(response.data, key=_index)]
        return vectors


def _index(item: Any) -> int:
    return item.index


def _tool_call(entry: dict[str, str]) -> ToolCall:
    try:
        arguments = json.loads(entry["arguments"] or "{}")
    except json.JSONDecodeError:
        arguments = {}
    return ToolCall(entry["id"] or f"call_{uuid.uuid4().hex[:8]}", entry["name"],
                    arguments if isinstance(arguments, dict) else {})


class _translated:
    """Turn the openai package's errors into ProviderError (a sentence for people, details to the log)."""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, _trace: Any) -> bool:
        if error is None or not isinstance(error, Exception) or isinstance(error, Nexus360Error):
            return False
        import openai

        if not isinstance(error, openai.OpenAIError):
            return False
        error_id = uuid.uuid4().hex[:8]
        log.warning("AI provider %s failed (error id %s): %s: %s", self.provider, error_id,
                    type(error).__name__, error)
        if isinstance(error, openai.APITimeoutError):
            message = "The language model did not answer in time."
        elif isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
            message = "The AI provider refused the configured key."
        elif isinstance(error, openai.RateLimitError):
            message = "The AI provider is busy (too many requests); try again in a minute."
        elif isinstance(error, openai.APIConnectionError):
            message = "The AI provider cannot be reached."
        else:
            message = "The AI provider answered with an error."
        raise ProviderError(message, error_id=error_id) from error


def language_model(settings: Settings) -> LanguageModel | None:
    """The configured chat model, or None for the offline provider."""
    if settings.ai_provider == OFFLINE:
        return None
    import openai

    key = settings.ai_api_key.get_secret_value() if settings.ai_api_key else None
    if not settings.ai_chat_model:
        raise ProviderNotConfigured(f"The {settings.ai_provider} provider needs NEXUS360_AI_CHAT_MODEL.")
    common = {"timeout": settings.ai_timeout_seconds, "max_retries": settings.ai_max_retries}
    if settings.ai_provider == "azure":
        if not settings.ai_azure_endpoint or not key:
            raise ProviderNotConfigured("Azure OpenAI needs NEXUS360_AI_AZURE_ENDPOINT and NEXUS360_AI_API_KEY.")
        client = openai.AzureOpenAI(azure_endpoint=settings.ai_azure_endpoint, api_key=key,
                                    api_version=settings.ai_api_version, **common)
    else:
        # Local servers (Ollama, vLLM) take any key; the client insists on one.
        client = openai.OpenAI(base_url=settings.ai_base_url, api_key=key or "not-needed", **common)
    return LanguageModel(settings.ai_provider, settings.ai_chat_model, settings.ai_embedding_model, client)


def embedder(settings: Settings) -> Embedder:
    """What embeds passages and questions: the provider's embedding model when one is set, else the local one."""
    model = language_model(settings)
    if model is not None and model.embedding_model:
        return model
    return LocalEmbedder()


def describe(settings: Settings) -> str:
    """The provider and model, for the page and the CLI (never the key)."""
    if settings.ai_provider == OFFLINE:
        return "offline (no language model configured)"
    return f"{settings.ai_provider}: {settings.ai_chat_model or 'no chat model set'}"
