"""Cleaning what people type: trimmed text, e-mail addresses and web domains."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Control characters that are not whitespace (NUL, backspace, escape, DEL, C1): PostgreSQL refuses NUL in text
# and none of them means anything in a name or a note. Right-to-left and zero-width characters are kept.
CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def clean_text(value: str | None) -> str | None:
    """Trim and collapse inner whitespace; empty becomes None."""
    if value is None:
        return None
    cleaned = " ".join(CONTROLS.sub("", str(value)).split())
    return cleaned or None


def normalise_email(value: str | None) -> str | None:
    cleaned = clean_text(value)
    if cleaned is None:
        return None
    cleaned = cleaned.lower()
    if len(cleaned) > 255 or not EMAIL.match(cleaned):
        raise ValueError(f"'{cleaned[:80]}' is not a valid email address")
    return cleaned


def normalise_domain(value: str | None) -> str | None:
    cleaned = clean_text(value)
    if cleaned is None:
        return None
    cleaned = re.sub(r"^https?://", "", cleaned.lower()).removeprefix("www.").split("/")[0]
    if not DOMAIN.match(cleaned):
        raise ValueError(f"'{cleaned[:80]}' is not a valid domain (like example.com)")
    return cleaned
