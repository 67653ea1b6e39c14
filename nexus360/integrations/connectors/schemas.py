"""Connector types and their settings: what each config row holds, validated per type.

Secret fields hold the *stored form* (a reference or an encrypted value, see `engine`), never a secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nexus360.jobs.schemas import EVENT_TYPES

WEBHOOK, GRAPH, SMTP, AI = "webhook", "msgraph", "smtp", "ai_provider"
# The SMTP row notification e-mail sent with NEXUS360_SMTP_* (no connector) is logged on.
ENVIRONMENT_SMTP_NAME = "Notification e-mail"
TYPE_LABELS = {WEBHOOK: "Outgoing webhook", GRAPH: "Microsoft Graph directory sync", SMTP: "SMTP e-mail",
               AI: "AI provider"}
SECRET_FIELDS = {WEBHOOK: ("secret",), GRAPH: ("client_secret",), SMTP: ("password",), AI: ("api_key",)}
SECRET_LABELS = {"secret": "Signing secret", "client_secret": "Client secret", "password": "Password",
                 "api_key": "API key"}
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class _Config(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class WebhookConfig(_Config):
    url: str = Field(max_length=2000)
    events: list[str]
    secret: str | None = None
    allow_private: bool = False  # an admin allows loopback/private/link-local addresses for this endpoint

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value or ""):
            raise ValueError("URL must start with http:// or https:// and name a host.")
        return value

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        unknown = [event for event in value if event not in EVENT_TYPES]
        if unknown:
            raise ValueError(f"Events: unknown event {', '.join(unknown)}; choose from {', '.join(EVENT_TYPES)}.")
        if not value:
            raise ValueError("Events: choose at least one event to send.")
        return list(dict.fromkeys(value))


class GraphConfig(_Config):
    tenant_id: str
    client_id: str
    client_secret: str | None = "env:NEXUS360_GRAPH_CLIENT_SECRET"
    sync_interval_minutes: int = 0  # 0: only when asked
    full_sync_hours: int = 24  # a full listing at least this often

    @field_validator("sync_interval_minutes")
    @classmethod
    def _interval(cls, value: int) -> int:
        if not 0 <= value <= 10_080:
            raise ValueError("Sync every … minutes must be between 0 (off) and 10,080 (a week).")
        return value

    @field_validator("full_sync_hours")
    @classmethod
    def _full(cls, value: int) -> int:
        if not 1 <= value <= 720:
            raise ValueError("Full sync every … hours must be between 1 and 720.")
        return value

    @field_validator("tenant_id", "client_id")
    @classmethod
    def _guid(cls, value: str, info) -> str:
        if not GUID.match(value or ""):
            name = "Tenant ID" if info.field_name == "tenant_id" else "Client ID"
            raise ValueError(f"{name} must be a GUID such as 3f2b8c1e-6a4d-4e0b-9c57-1d2e8f4a6b90.")
        return value.lower()


class SmtpConfig(_Config):
    host: str = Field(min_length=1, max_length=255)
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    from_address: str

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError("Port must be between 1 and 65535.")
        return value

    @field_validator("from_address")
    @classmethod
    def _from(cls, value: str) -> str:
        address = value.rpartition("<")[2].rstrip(">").strip()
        if not EMAIL.match(address):
            raise ValueError("From address must be an e-mail address, e.g. Nexus360 <notifications@example.com>.")
        return value


class AiConfig(_Config):
    provider: Literal["azure", "openai"]
    endpoint: str | None = None  # azure: https://<resource>.openai.azure.com
    base_url: str | None = None  # openai-compatible: the endpoint (default OpenAI's)
    api_version: str = "2024-10-21"
    chat_model: str = Field(min_length=1, max_length=200)
    embedding_model: str | None = None
    api_key: str | None = None

    @field_validator("endpoint", "base_url")
    @classmethod
    def _http(cls, value: str | None, info) -> str | None:
        if value and not re.match(r"^https?://[^\s/]+", value):
            name = "Endpoint" if info.field_name == "endpoint" else "Base URL"
            raise ValueError(f"{name} must start with http:// or https://.")
        return value or None


CONFIG_MODELS: dict[str, type[_Config]] = {WEBHOOK: WebhookConfig, GRAPH: GraphConfig, SMTP: SmtpConfig,
                                           AI: AiConfig}


@dataclass(frozen=True)
class ConnectorRead:
    """A connector as the page and the CLI show it: settings with every secret described, never shown."""

    id: int
    name: str
    type: str
    type_label: str
    is_active: bool
    settings: dict[str, object]
    secrets: dict[str, str]  # field label -> "environment variable X (set)", "stored encrypted ••••", …
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class Created:
    """A connector just added; `shown_once` holds a secret the app generated (a webhook's), shown this once."""

    connector: ConnectorRead
    shown_once: str | None = None


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str
    duration_ms: int
    details: dict[str, object] = field(default_factory=dict)
