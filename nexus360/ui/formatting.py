"""Showing what people wrote exactly as they wrote it (money and percentages are in nexus360.common.money).

Streamlit reads Markdown (and LaTeX, `:color[…]` directives, `:material/…:` icons, emoji shortcodes and HTML
entities) in titles, captions, toasts, alerts, metric and widget labels, tab and expander labels. Text a user,
an import, a document or the AI wrote goes through `literal()` before it reaches one of those: every character
that Markdown, HTML or a directive could act on is backslash-escaped (CommonMark lets any ASCII punctuation be
escaped, and an escaped character is always shown as itself), so nothing in it can format, link, embed an
image or run a directive. Tables
(st.dataframe), select boxes and the like show plain text and take the text as it is. Plotly reads HTML in
labels and hover text: `chart_text()` escapes that. Bare web and e-mail addresses in what a person typed stay
clickable, shown exactly as typed; in what a model wrote, `unlinked()` keeps only those its sources had.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

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


# remark-gfm, Streamlit's Markdown, turns web and e-mail addresses in text into links after escapes are resolved
# (mdast-util-gfm-autolink-literal), so no escape stops it; a word joiner (U+2060: invisible, no width, no line
# break) where its patterns need two characters side by side does: "http⁠://", "www⁠.", "name⁠@".
_ADDRESS = re.compile(r"(?i)(?:https?://|www\.)[^\s<]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK_START = re.compile(r"(?i)(https?)(?=://)|(www)(?=\.)|(?=@)")
_TRAILING = ".,;:!?)]}'\""
JOINER = "\u2060"


def addresses(texts: Iterable[str | None]) -> frozenset[str]:
    """The web and e-mail addresses written in `texts` (without trailing punctuation)."""
    return frozenset(match.group(0).rstrip(_TRAILING) for text in texts if text for match in _ADDRESS.finditer(text))


def unlinked(text: object, *, keep: frozenset[str] = frozenset()) -> str:
    """`literal(text)` in which no web or e-mail address becomes a link unless it is in `keep` (what the
    sources of a model's answer had): a model cannot send anyone elsewhere by writing an address."""
    def inert(match: re.Match) -> str:
        address = match.group(0)
        if address.rstrip(_TRAILING) in keep:
            return address
        return _LINK_START.sub(lambda start: (start.group(0) or "") + JOINER, address)

    return literal(None if text is None else _ADDRESS.sub(inert, str(text)))
