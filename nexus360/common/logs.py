"""Structured logs: one JSON object per line, with who, where, what, how long and the error id.

Every line has `time` (UTC, ISO 8601), `level`, `logger` and `message`; lines written inside a page run or a
command also carry `user_id`, `page` and `action` (context variables, so each Streamlit session's script
thread and each command see their own), and events add `duration_ms`, `error_id`, `database`, `outcome`.

Nothing personal beyond the user id is logged: `event()` drops fields whose name says secret or personal
(password, token, key, cookie, email, name, phone, ...) and shortens long values; SQL parameters never reach
a message (engines are created with `hide_parameters`). An operator finds an error the page showed by its id:
`grep '"error_id": "3f9a2c1b7e"'`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

ROOT = "nexus360"
_CONTEXT_FIELDS = ("user_id", "page", "action")
_context: dict[str, contextvars.ContextVar[Any]] = {
    name: contextvars.ContextVar(f"nexus360_log_{name}", default=None) for name in _CONTEXT_FIELDS
}
_FORBIDDEN = re.compile(r"pass|secret|token|key|cookie|credential|auth_header|email|name|phone|address|body",
                        re.I)
_ALLOWED = frozenset({"database", "outcome", "duration_ms", "error_id", "error_type", "permission", "rows",
                      "statements", "status", "url_path", "command", "check", "job", "count"})
MAX_VALUE_CHARS = 300
_configured = False


def new_error_id() -> str:
    """A short id to show beside a message and to find its details in the log."""
    return secrets.token_hex(5)


def get_logger(name: str) -> logging.Logger:
    """A logger under `nexus360` (so our handler and format apply)."""
    return logging.getLogger(name if name.startswith(ROOT) else f"{ROOT}.{name}")


@contextmanager
def context(**values: Any) -> Iterator[None]:
    """Put `user_id`, `page` and/or `action` on every line logged inside the block (this thread only)."""
    tokens = [(_context[name], _context[name].set(value)) for name, value in values.items() if name in _context]
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


def current(name: str) -> Any:
    return _context[name].get()


def safe_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """What of `fields` may be logged: known harmless names, or names that say nothing secret or personal;
    values shortened and made JSON-friendly."""
    kept: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in _ALLOWED and _FORBIDDEN.search(name):
            continue
        if isinstance(value, bool | int | float) or value is None:
            kept[name] = value
        else:
            text = str(value)
            kept[name] = text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"
    return kept


def event(logger: logging.Logger, message: str, *, level: int = logging.INFO, exc_info: Any = None,
          **fields: Any) -> None:
    """Log one event with structured fields (filtered by `safe_fields`)."""
    if logger.isEnabledFor(level):
        logger.log(level, message, exc_info=exc_info, extra={"nexus360_fields": safe_fields(fields)})


class JsonFormatter(logging.Formatter):
    """One JSON object per line; tracebacks as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, variable in _context.items():
            value = variable.get()
            if value is not None:
                line[name] = value
        line.update(getattr(record, "nexus360_fields", {}))
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure(level: str | None = None, path: str | None = None) -> None:
    """Send the `nexus360` loggers to stderr (or `path`) as JSON lines, once per process.

    `NEXUS360_LOG_LEVEL` (default INFO) and `NEXUS360_LOG_FILE` (default stderr) choose level and place.
    """
    global _configured
    if _configured:
        return
    _configured = True
    level = (level or os.environ.get("NEXUS360_LOG_LEVEL") or "INFO").upper()
    path = path or os.environ.get("NEXUS360_LOG_FILE")
    handler: logging.Handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(
        sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger(ROOT)
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
