"""Connectors: add, change, switch off, delete; secrets only by reference or encrypted; the settings the
directory sync, notifications' e-mail and the assistant actually use.

Everything here needs integrations.manage (the worker's system actor may read). A secret typed on the
page or the command line is stored encrypted under the secrets key (never in the database); a reference
(`env:NAME`, `secrets:key`) is stored as it is. A webhook without a secret gets a new one, returned once.
"""

from __future__ import annotations

import base64
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.orm import Session

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.auth.service import SystemActor
from nexus360.common.errors import AuthorizationError, NotFoundError, ValidationError
from nexus360.common.text import clean_text
from nexus360.common.validation import parse
from nexus360.config import Settings, secrets_toml_value
from nexus360.integrations import repository
from nexus360.integrations.connectors import engine
from nexus360.integrations.connectors.schemas import (
    AI,
    CONFIG_MODELS,
    ENVIRONMENT_SMTP_NAME,
    GRAPH,
    SECRET_FIELDS,
    SECRET_LABELS,
    SMTP,
    TYPE_LABELS,
    WEBHOOK,
    ConnectorRead,
    Created,
    SmtpConfig,
)
from nexus360.integrations.models import IntegrationConfig
from nexus360.jobs import service as jobs

NAME_MAX = 100
DIRECTORY_SYNC_KIND = "directory.sync"
Actor = Principal | SystemActor


def require_manage(actor: Actor | None) -> None:
    """The worker (system actor) may; a signed-in user needs integrations.manage."""
    if isinstance(actor, SystemActor):
        return
    if not isinstance(actor, Principal):
        raise AuthorizationError("integrations.manage")
    auth_service.require(actor, "integrations.manage")


def secrets_key(settings: Settings) -> bytes:
    """The AES key of stored secrets: NEXUS360_SECRETS_KEY, else one generated once into the data dir."""
    if settings.secrets_key is not None:
        raw = settings.secrets_key.get_secret_value()
    else:
        path = Path(settings.data_dir) / "secrets.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:  # exclusive: two processes starting together keep the first one's key
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w") as handle:
                    handle.write(base64.urlsafe_b64encode(os.urandom(32)).decode())
            except FileExistsError:
                pass
        raw = path.read_text().strip()
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError as error:
        raise ValidationError("NEXUS360_SECRETS_KEY must be 32 bytes in URL-safe base64.") from error
    if len(key) != 32:
        raise ValidationError("NEXUS360_SECRETS_KEY must be 32 bytes in URL-safe base64.")
    return key


def resolve_secret(stored: str | None, settings: Settings) -> str | None:
    """The secret a stored form stands for (None when it is unset or its source has no value)."""
    if not stored:
        return None
    match = engine.REFERENCE.match(stored)
    if match:
        if match[1] == "env":
            value = os.environ.get(match[2])
            if value is None and match[2].upper().startswith("NEXUS360_"):  # also from secrets.toml via Settings
                field = getattr(settings, match[2][len("NEXUS360_"):].lower(), None)
                value = field.get_secret_value() if isinstance(field, SecretStr) else field
            return value or None
        return secrets_toml_value(match[2])
    if engine.is_encrypted(stored):
        return engine.decrypt(stored, secrets_key(settings))
    return None


# --- reading --------------------------------------------------------------------------------------


def list_connectors(session: Session, principal: Actor, *, settings: Settings,
                    type: str | None = None) -> list[ConnectorRead]:
    """Every connector (or those of a type), by name, secrets described and never shown."""
    require_manage(principal)
    return [_read(row, settings) for row in repository.list_configs(session, type=type)]


def get_connector(session: Session, principal: Actor, *, name: str, settings: Settings) -> ConnectorRead:
    require_manage(principal)
    return _read(_by_name(session, name), settings)


def _by_name(session: Session, name: str) -> IntegrationConfig:
    row = repository.find_config(session, name=name)
    if row is None:
        raise NotFoundError(f"No integration is named {name!r}.")
    return row


def _by_id(session: Session, connector_id: int) -> IntegrationConfig:
    row = repository.get_config(session, connector_id, lock=True)
    if row is None:
        raise NotFoundError("This integration no longer exists (it may have been deleted).")
    return row


def _read(row: IntegrationConfig, settings: Settings) -> ConnectorRead:
    config = dict(row.config or {})
    fields = SECRET_FIELDS.get(row.type, ())
    described = {}
    for field in fields:
        stored = config.pop(field, None)
        try:
            available = resolve_secret(stored, settings) is not None
        except ValidationError:
            available = False
        described[SECRET_LABELS[field]] = engine.describe(stored, available=available)
    return ConnectorRead(id=row.id, name=row.name, type=row.type, type_label=TYPE_LABELS.get(row.type, row.type),
                         is_active=row.is_active is not False, settings=engine.mask(config), secrets=described,
                         created_at=row.created_at, updated_at=row.updated_at)


# --- writing --------------------------------------------------------------------------------------


def add_connector(session: Session, principal: Actor, *, type: str, name: str, values: dict[str, Any],
                  settings: Settings) -> Created:
    """Add a connector of `type` (webhook, msgraph, smtp, ai_provider) after checking its settings."""
    require_manage(principal)
    if type not in CONFIG_MODELS:
        raise ValidationError(f"Type must be one of {', '.join(CONFIG_MODELS)}.")
    name = _checked_name(session, name)
    shown_once = None
    values = dict(values)
    if type == WEBHOOK and not (values.get("secret") or "").strip():
        values["secret"] = shown_once = engine.new_secret()
    config = _checked(type, values, previous={}, settings=settings)
    row = repository.add_config(session, name=name, type=type, config=config)
    _schedule(session, row)
    return Created(_read(row, settings), shown_once)


def update_connector(session: Session, principal: Actor, *, connector_id: int, values: dict[str, Any],
                     settings: Settings, name: str | None = None) -> ConnectorRead:
    """Change a connector's settings; a secret field left empty keeps the stored secret."""
    require_manage(principal)
    row = _by_id(session, connector_id)
    if name is not None and name.strip().lower() != row.name.lower():
        row.name = _checked_name(session, name)
    repository.set_config(session, row, _checked(row.type, dict(values), previous=row.config, settings=settings))
    _schedule(session, row)
    return _read(row, settings)


def set_active(session: Session, principal: Actor, *, connector_id: int, active: bool,
               settings: Settings) -> ConnectorRead:
    """Switch a connector on or off (off: nothing is sent or synced; its queued deliveries wait)."""
    require_manage(principal)
    row = _by_id(session, connector_id)
    repository.set_active(session, row, active)
    _schedule(session, row)
    return _read(row, settings)


def delete_connector(session: Session, principal: Actor, *, connector_id: int) -> str:
    """Delete a connector with its run log; its queued jobs are cancelled. Returns its name."""
    require_manage(principal)
    row = _by_id(session, connector_id)
    jobs.cancel_queued(session, kind="webhook.deliver", payload_match={"endpoint_id": row.id})
    jobs.set_schedule(session, kind=DIRECTORY_SYNC_KIND, key=_schedule_key(row.id), every=None)
    repository.delete_config(session, row.id)
    return row.name


def _checked_name(session: Session, name: str) -> str:
    name = clean_text(name) or ""
    if not name:
        raise ValidationError("Name is required.")
    if len(name) > NAME_MAX:
        raise ValidationError(f"Name must be at most {NAME_MAX} characters.")
    if repository.find_config(session, name=name) is not None:
        raise ValidationError(f"Name: an integration named {name!r} exists already.")
    return name


def _checked(type: str, values: dict[str, Any], *, previous: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The config to store: validated for its type, secrets in their stored form (kept when left empty)."""
    key = None
    for field in SECRET_FIELDS[type]:
        typed = (values.get(field) or "").strip() if isinstance(values.get(field), str) else values.get(field)
        if not typed:
            values[field] = previous.get(field)
            continue
        if type == WEBHOOK and not (engine.is_reference(typed) or engine.is_encrypted(typed)) \
                and not engine.is_signing_secret(typed):
            raise ValidationError("Signing secret must be whsec_ followed by base64 (at least 16 bytes), or "
                                  "env:VARIABLE / secrets:key.")
        key = key or secrets_key(settings)
        values[field] = engine.stored_form(typed, key, field=SECRET_LABELS[field])
    model = parse(CONFIG_MODELS[type], **values)
    return model.model_dump()


def _schedule_key(connector_id: int) -> str:
    return f"schedule:directory_sync:{connector_id}"


def _schedule(session: Session, row: IntegrationConfig) -> None:
    if row.type != GRAPH:
        return
    minutes = int((row.config or {}).get("sync_interval_minutes") or 0)
    every = timedelta(minutes=minutes) if minutes and row.is_active is not False else None
    jobs.set_schedule(session, kind=DIRECTORY_SYNC_KIND, key=_schedule_key(row.id), every=every,
                      payload={"integration_id": row.id})


# --- what the other parts of the app use ------------------------------------------------------------


def graph_settings(session: Session, actor: Actor, *, settings: Settings, connector_id: int | None = None) -> Settings:
    """Settings for the directory sync: the (given, else first active) Graph connector over the environment's."""
    require_manage(actor)
    row = repository.get_config(session, connector_id) if connector_id else repository.first_active(session, type=GRAPH)
    if row is None:
        return settings
    config = row.config or {}
    secret = resolve_secret(config.get("client_secret"), settings)
    return settings.model_copy(update={
        "graph_tenant_id": config.get("tenant_id") or settings.graph_tenant_id,
        "graph_client_id": config.get("client_id") or settings.graph_client_id,
        "graph_client_secret": SecretStr(secret) if secret else settings.graph_client_secret,
    })


def sending_smtp(session: Session) -> IntegrationConfig | None:
    """The active SMTP connector notification e-mail goes through (the oldest an admin added). The row the
    sender logs environment-configured mail on (ENVIRONMENT_SMTP_NAME) mirrors NEXUS360_SMTP_* and is never
    taken for a connector: it would outlive the environment it mirrors and shadow connectors added later."""
    return repository.first_active(session, type=SMTP, except_name=ENVIRONMENT_SMTP_NAME)


def smtp_settings(session: Session, actor: Actor, *, settings: Settings) -> SmtpConfig | None:
    """The SMTP server to send through, its password resolved: the active SMTP connector, else the environment
    (NEXUS360_SMTP_*); None when neither names a host. For the notifications domain's sender (the worker)."""
    require_manage(actor)
    row = sending_smtp(session)
    if row is not None:
        config = SmtpConfig(**row.config)
        return config.model_copy(update={"password": resolve_secret(config.password, settings)})
    if not settings.smtp_host:
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpConfig(host=settings.smtp_host, port=settings.smtp_port, security=settings.smtp_security,
                      username=settings.smtp_user, password=password,
                      from_address=settings.smtp_from or f"Nexus360 <nexus360@{settings.smtp_host}>")


def mail_settings(session: Session, actor: Actor, *, settings: Settings) -> Settings:
    """Settings whose NEXUS360_SMTP_* are the active SMTP connector's (unchanged without one): what the
    notification e-mail sender reads."""
    require_manage(actor)
    config = smtp_settings(session, actor, settings=settings) if sending_smtp(session) else None
    if config is None:
        return settings
    return settings.model_copy(update={
        "smtp_host": config.host, "smtp_port": config.port, "smtp_security": config.security,
        "smtp_user": config.username, "smtp_from": config.from_address,
        "smtp_password": SecretStr(config.password) if config.password else None,
    })


def ai_settings(session: Session, actor: Actor, *, settings: Settings, connector_id: int | None = None) -> Settings:
    """Settings for the assistant: the active AI provider connector over NEXUS360_AI_* (unchanged without one).

    Whoever may use the assistant may use these (they reach the provider, never the page)."""
    if not isinstance(actor, Principal) or not actor.has("chat.use"):
        require_manage(actor)
    row = repository.get_config(session, connector_id) if connector_id else repository.first_active(session, type=AI)
    if row is None:
        return settings
    config = row.config or {}
    key = resolve_secret(config.get("api_key"), settings)
    return settings.model_copy(update={
        "ai_provider": config["provider"], "ai_azure_endpoint": config.get("endpoint"),
        "ai_base_url": config.get("base_url"), "ai_api_version": config.get("api_version") or "2024-10-21",
        "ai_chat_model": config.get("chat_model"), "ai_embedding_model": config.get("embedding_model"),
        "ai_api_key": SecretStr(key) if key else None,
    })
