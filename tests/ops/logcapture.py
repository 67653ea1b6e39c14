"""Read what the app logged, as the JSON lines an operator would read."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from nexus360.common import logs


@contextmanager
def captured_log(level: int = logging.DEBUG) -> Iterator[list[dict]]:
    """Every line the `nexus360` loggers write inside the block, parsed (the list fills as lines come)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger(logs.ROOT)
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines() if line.strip())
