"""Run the app under AppTest as a seeded demo user, optionally on one page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from nexus360.auth import service as auth_service
from nexus360.config import PROJECT_ROOT
from nexus360.db import Database, session_scope

HOME = str(PROJECT_ROOT / "Home.py")


def principal_for(username: str):
    with session_scope(Database.AUTH) as session:
        return auth_service.get_principal_by_username(session, username)


def open_as(username: str | None, page: str | None = None) -> AppTest:
    """Home.py signed in as `username` (None: signed out), switched to pages/`page`.py if given."""
    app = AppTest.from_file(HOME, default_timeout=60)
    if username:
        app.session_state["principal"] = principal_for(username)
    app.run()
    if page:
        app.switch_page(str(PROJECT_ROOT / "pages" / f"{page}.py"))
        app.run()
    return app


def shown(markdown: str) -> str:
    """What a person reads from Markdown source: the text with `literal()`'s backslash escapes removed."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown)
