"""Adding to the knowledge base tells the article's audience (chat + auth + notifications).

The one entry point of adding an article: the service's half takes the auth and notifications sessions
that only this flow builds. The chat database commits first, then notifications: a failed notification
never loses an article.
"""

from __future__ import annotations

from nexus360.auth.schemas import Principal
from nexus360.chat.client import Embedder
from nexus360.chat.knowledge import service
from nexus360.chat.knowledge.schemas import ArticleCreate
from nexus360.db import Database, session_scope


def create_article(principal: Principal, *, data: ArticleCreate, embedder: Embedder) -> int:
    """Add an article and tell its audience; returns its id."""
    with (
        session_scope(Database.NOTIFICATIONS, actor=principal) as notes,
        session_scope(Database.AUTH, actor=principal) as auth,
        session_scope(Database.CHAT, actor=principal) as chat,
    ):
        return service.create_article(chat, principal, data=data, embedder=embedder, auth=auth, notes=notes)


def add_document(principal: Principal, *, filename: str, data: bytes, embedder: Embedder,
                 audience: list[str] | None = None, title: str | None = None) -> int:
    """Add a Markdown, text, PDF or Word file as an article and tell its audience; returns its id."""
    with (
        session_scope(Database.NOTIFICATIONS, actor=principal) as notes,
        session_scope(Database.AUTH, actor=principal) as auth,
        session_scope(Database.CHAT, actor=principal) as chat,
    ):
        return service.add_document(chat, principal, filename=filename, data=data, embedder=embedder, auth=auth,
                                    notes=notes, audience=audience, title=title)
