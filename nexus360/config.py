"""Typed settings: environment variables (prefix NEXUS360_) and `.streamlit/secrets.toml`.

Precedence, highest first: keyword arguments, environment, the `[nexus360]` table of
`.streamlit/secrets.toml` (keys without the prefix, e.g. `crm_url = "..."`), defaults.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
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

    # Embedded PostgreSQL (used for every database whose URL is unset).
    data_dir: Path = Field(default=PROJECT_ROOT / ".nexus360")
    database_prefix: str = "nexus360_"

    # Sign-in
    local_login: bool = True
    cookie_key: str | None = None
    cookie_expiry_days: float = 1.0

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

    def url_for(self, database: str) -> str | None:
        return getattr(self, f"{database}_url")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests and the CLI change the environment)."""
    get_settings.cache_clear()
