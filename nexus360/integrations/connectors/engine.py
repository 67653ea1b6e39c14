"""Secrets in connector configs, without I/O: references, encryption under a key kept outside the database,
and masking for the page, the payload view and the logs.

A config never holds a secret in clear text. It holds one of:
- `env:NAME`: the environment variable NAME;
- `secrets:key`: the key in the `[nexus360]` table of `.streamlit/secrets.toml`;
- `enc:v1:…`: the secret encrypted with AES-GCM under the app's secrets key (NEXUS360_SECRETS_KEY or the
  data dir's `secrets.key`), which never enters the database: a copy of the database alone reveals nothing.
"""

from __future__ import annotations

import base64
import os
import re
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nexus360.common.errors import ValidationError

REFERENCE = re.compile(r"^(env|secrets):([A-Za-z_][A-Za-z0-9_]{0,99})$")
ENCRYPTED = "enc:v1:"
SECRET_PREFIX = "whsec_"
MASK = "••••••••"
SECRET_KEYS = re.compile(r"secret|password|passwd|token|api[_-]?key|authorization|credential", re.I)
SECRET_VALUES = re.compile(r"^(whsec_|enc:v1:)|^Bearer\s", re.I)


def new_secret() -> str:
    """A webhook signing secret as Standard Webhooks spells it: whsec_ and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(24)).decode()


def is_signing_secret(value: str) -> bool:
    if not value.startswith(SECRET_PREFIX):
        return False
    try:
        return len(base64.b64decode(value[len(SECRET_PREFIX):], validate=True)) >= 16
    except ValueError:
        return False


def is_reference(value: str) -> bool:
    return bool(REFERENCE.match(value or ""))


def is_encrypted(value: str) -> bool:
    return (value or "").startswith(ENCRYPTED)


def encrypt(secret: str, key: bytes) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, secret.encode(), b"nexus360-connector-secret")
    return ENCRYPTED + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(value: str, key: bytes) -> str:
    try:
        raw = base64.urlsafe_b64decode(value[len(ENCRYPTED):])
        return AESGCM(key).decrypt(raw[:12], raw[12:], b"nexus360-connector-secret").decode()
    except (InvalidTag, ValueError) as error:
        raise ValidationError("A stored secret cannot be decrypted: the secrets key changed (NEXUS360_SECRETS_KEY "
                              "or the data dir's secrets.key); enter the secret again.") from error


def stored_form(value: str | None, key: bytes, *, field: str, required: bool = False) -> str | None:
    """What a config keeps for a secret typed into a form: a reference as it is, anything else encrypted."""
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError(f"{field} is required: paste the secret, or name env:VARIABLE or secrets:key.")
        return None
    if is_reference(value) or is_encrypted(value):
        return value
    if value.startswith(("env:", "secrets:")):
        raise ValidationError(f"{field}: a reference is env:VARIABLE or secrets:key (letters, digits and _).")
    return encrypt(value, key)


def describe(value: str | None, *, available: bool) -> str:
    """How the page shows a stored secret: where it comes from and whether it is there, never its value."""
    if not value:
        return "not set"
    match = REFERENCE.match(value)
    if match:
        where = "environment variable" if match[1] == "env" else "secrets.toml key"
        return f"{where} {match[2]} ({'set' if available else 'not set'})"
    if is_encrypted(value):
        return f"encrypted {MASK}" if available else "encrypted, but the secrets key changed"
    return MASK


def mask(value: Any, secrets: tuple[str, ...] = ()) -> Any:
    """A copy of a JSON value with secret-looking keys and values replaced by a mask (and any of `secrets`)."""
    if isinstance(value, dict):
        return {key: MASK if SECRET_KEYS.search(str(key)) and item not in (None, "") else mask(item, secrets)
                for key, item in value.items()}
    if isinstance(value, list):
        return [mask(item, secrets) for item in value]
    if isinstance(value, str):
        if SECRET_VALUES.search(value):
            return MASK
        for secret in secrets:
            if secret and len(secret) >= 6 and secret in value:
                value = value.replace(secret, MASK)
    return value
