"""User text shown literally: every Markdown-active character is escaped, nothing else changes."""

from __future__ import annotations

import re

import pytest

from nexus360.ui.formatting import chart_text, literal

PAYLOADS = ['=HYPERLINK("http://evil","x")', ":red[red] :material/home: :smile:", "**bold** _it_ `code`",
            "$x^2$", "![img](http://evil/x.png) [link](http://evil)", "<b>html</b> &amp; <img src=x>",
            "# heading", "1. list", "> quote", "a\\b", "~~strike~~ | table |", "Acme & Sons, Inc."]


@pytest.mark.parametrize("text", PAYLOADS)
def test_removing_the_escapes_gives_back_exactly_what_was_typed(text: str) -> None:
    assert re.sub(r"\\(.)", r"\1", literal(text)) == text


@pytest.mark.parametrize("text", PAYLOADS)
def test_no_markdown_character_is_left_unescaped(text: str) -> None:
    assert re.search(r"(?<!\\)[*_`$\[\]()<>#:!|~&=]", re.sub(r"\\.", "", literal(text))) is None


def test_letters_digits_and_spaces_are_untouched_and_none_is_empty() -> None:
    assert literal("Emily Chen 42") == "Emily Chen 42"
    assert literal(None) == ""


def test_line_breaks_stay_line_breaks() -> None:
    assert literal("one\ntwo") == "one  \ntwo"


def test_chart_labels_escape_html() -> None:
    assert chart_text('<a href="http://evil">x</a>') == '&lt;a href="http://evil"&gt;x&lt;/a&gt;'
