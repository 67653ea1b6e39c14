"""Showing what people wrote exactly as they wrote it (money and percentages are in nexus360.common.money).

Streamlit reads Markdown (and LaTeX, `:color[…]` directives, `:material/…:` icons, emoji shortcodes and HTML
entities) in titles, captions, toasts, alerts, metric and widget labels, tab and expander labels. Text a user,
an import, a document or the AI wrote goes through `literal()` before it reaches one of those: every character
that Markdown, HTML or a directive could act on is backslash-escaped (CommonMark lets any ASCII punctuation be
escaped, and an escaped character is always shown as itself), so nothing in it can format, link, embed an
image or run a directive. Tables
(st.dataframe), select boxes and the like show plain text and take the text as it is. Plotly reads HTML in
labels and hover text: `chart_text()` escapes that. Bare web addresses stay clickable, shown exactly as typed.
"""

from __future__ import annotations

import html

# Every character that starts Markdown, HTML, an entity, a link, an image, a table, a directive (:red[…],
# :material/…:, emoji) or LaTeX ($) in Streamlit; others (, ; ? % @ / ' ") are shown as they are anyway.
MARKDOWN_ACTIVE = "\\`*_{}[]()<>#+-.!|~$:&="
_ESCAPED = {ord(char): "\\" + char for char in MARKDOWN_ACTIVE}


def literal(text: object) -> str:
    """`text` for a place that renders Markdown, so that it shows exactly as typed ('' for None)."""
    if text is None:
        return ""
    return str(text).translate(_ESCAPED).replace("\n", "  \n")


def chart_text(text: object) -> str:
    """`text` for a Plotly label or hover text (Plotly reads a subset of HTML there)."""
    return "" if text is None else html.escape(str(text), quote=False)


def escape_markdown(text: str | None) -> str:
    """Older name of `literal()`; kept while views move over to it."""
    return literal(text)
