"""Data access: the eight databases, their engines and sessions."""

from nexus360.db.base import BASES, Database
from nexus360.db.engine import data_generation, dispose_engines, get_engine, resolve_url, resolve_urls, session_scope

__all__ = [
    "BASES", "Database", "data_generation", "dispose_engines", "get_engine", "resolve_url", "resolve_urls",
    "session_scope",
]
