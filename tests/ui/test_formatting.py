"""User text shown literally: every Markdown-active character is escaped, nothing else changes."""

from __future__ import annotations

import re

import pytest

from nexus360.chat.conversations.schemas import MessageRead
from nexus360.chat.schemas import Citation, ToolRun
from nexus360.ui.chat.thread import _sourced_addresses
from nexus360.ui.formatting import JOINER, addresses, chart_text, literal, unlinked

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


# mdast-util-gfm-autolink-literal's patterns (what remark-gfm in Streamlit's frontend links in text once the
# escapes are resolved), in Python's syntax: a web address and an e-mail address.
GFM_WEB = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I | re.A)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.A)


def shown(markdown: str) -> str:
    """The text a reader sees: escapes resolved (the word joiner is invisible)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(JOINER, "")


def links(markdown: str) -> list[str]:
    text = re.sub(r"\\(.)", r"\1", markdown)
    return [match.group(0) for pattern in (GFM_WEB, GFM_EMAIL) for match in pattern.finditer(text)]


ANSWER = ("Read https://evil.test/steal?x=1, http://www.evil.test or www.evil.test, write to boss@evil.test; "
          "the policy is at https://intranet.contoso.test/discounts.")


def test_an_answer_links_no_address_its_sources_did_not_have() -> None:
    assert links(literal(ANSWER))  # escaping alone leaves every address a link
    assert links(unlinked(ANSWER)) == []
    assert shown(unlinked(ANSWER)) == ANSWER  # and every character is still shown as written


def test_an_address_its_sources_had_stays_a_link() -> None:
    keep = addresses(["See https://intranet.contoso.test/discounts. for the form", None])
    assert keep == {"https://intranet.contoso.test/discounts"}
    assert [link.rstrip(".") for link in links(unlinked(ANSWER, keep=keep))] == ["https://intranet.contoso.test/discounts"]
    assert shown(unlinked(ANSWER, keep=keep)) == ANSWER


def test_unlinked_text_is_literal_text() -> None:
    for text in PAYLOADS:
        assert shown(unlinked(text)) == text
    assert unlinked(None) == ""


def test_an_answer_links_the_addresses_of_its_passages_and_tool_figures_only() -> None:
    message = MessageRead(
        id=1, role="assistant", tokens=10, content=ANSWER + " Ask anna@contoso.test.",
        citations=[Citation(number=1, passage_id=1, article_id=1, title="Discounts",
                            content="The form: https://intranet.contoso.test/discounts.")],
        tool_runs=[ToolRun(tool="find_deal", label="Deal", columns=["Contact"], rows=[["anna@contoso.test"]])])
    shown_links = links(unlinked(message.content, keep=_sourced_addresses(message)))
    assert [link.rstrip(".") for link in shown_links] == ["https://intranet.contoso.test/discounts",
                                                          "anna@contoso.test"]
