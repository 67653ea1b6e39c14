"""Files become articles whose passages keep their heading; the kb and ask commands print JSON."""

from __future__ import annotations

import io
import json

import docx
import pytest
from click.testing import CliRunner

from nexus360.chat import engine
from nexus360.chat.knowledge.engine import read_document
from nexus360.cli import main
from nexus360.common.errors import ValidationError


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF with these lines of text (Helvetica), written by hand: no PDF writer needed."""
    text = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               "/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    start = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode())
    return out.getvalue()


def word_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Travel policy", level=1)
    document.add_heading("Hotels", level=2)
    document.add_paragraph("Book hotels under 200 dollars a night through the travel portal.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_markdown_passages_keep_their_heading_path() -> None:
    passages = engine.split_passages("# Policy\n\n## Approval levels\n\nUp to 10% is yours.\n\n## How to ask\n\nEarly.")
    assert [(p.heading, p.content) for p in passages] == [("Policy › Approval levels", "Up to 10% is yours."),
                                                         ("Policy › How to ask", "Early.")]


def test_long_sections_are_split_at_sentences_within_the_size() -> None:
    text = "## Long\n\n" + " ".join(f"Sentence number {i} says something useful." for i in range(80))
    passages = engine.split_passages(text)
    assert len(passages) > 2 and all(len(p.content) <= engine.MAX_PASSAGE_CHARS for p in passages)
    assert {p.heading for p in passages} == {"Long"}


def test_pdf_word_and_text_files_are_read_with_headings() -> None:
    pdf = read_document("memo.pdf", pdf_bytes(["Expense rules", "Claims are due within thirty days of the trip."]))
    assert pdf.source_type == "pdf" and "## Expense rules" in pdf.markdown and "thirty days" in pdf.markdown
    word = read_document("travel.docx", word_bytes())
    assert word.title == "Travel policy" and "## Hotels" in word.markdown
    text = read_document("notes.txt", b"Hotels\nBook hotels under 200 dollars a night.")
    assert "## Hotels" in text.markdown


@pytest.mark.parametrize(("name", "data", "words"), [
    ("virus.exe", b"MZ", "only Markdown"),
    ("broken.pdf", b"%PDF-1.4 not really", "could not be read as a pdf file"),
    ("empty.md", b"   \n", "has no text"),
])
def test_bad_files_are_refused_with_a_message_naming_them(name, data, words) -> None:
    with pytest.raises(ValidationError, match=words) as caught:
        read_document(name, data)
    assert name in str(caught.value)


def test_kb_add_search_and_ask_from_the_command_line(seeded, tmp_path, rep, manager) -> None:
    runner = CliRunner()
    memo = tmp_path / "parking.md"
    memo.write_text("# Parking at the office\n\n## Visitors\n\nCustomer visitors park on level minus two for free.")
    added = runner.invoke(main, ["kb", "add", str(memo), "--audience", "sales_manager"])
    assert added.exit_code == 0, added.output
    article = json.loads(added.output)["article"]
    try:
        question = ["Where do customer visitors park?"]
        as_manager = runner.invoke(main, ["kb", "search", *question, "--as", manager.email, "--json"])
        as_rep = runner.invoke(main, ["kb", "search", *question, "--as", rep.email, "--json"])
        found = json.loads(as_manager.output)
        assert found[0]["article"] == article and set(found[0]) == {"id", "article", "title", "score"}
        assert all(hit["article"] != article for hit in json.loads(as_rep.output))
        asked = runner.invoke(main, ["ask", "How is my commission computed?", "--as", rep.email,
                                     "--json"])
        result = json.loads(asked.output)
        assert result["citations"] and result["tools"][0]["tool"] == "commission_statement"
        bad = runner.invoke(main, ["kb", "add", str(memo), "--audience", "pilots"])
        assert bad.exit_code == 1 and "--audience: unknown role pilots" in bad.output
    finally:
        from nexus360.chat.knowledge import service
        from nexus360.db import Database, session_scope
        from tests.chat.conftest import principal_for

        admin = principal_for("admin")
        with session_scope(Database.CHAT, actor=admin) as session:
            service.delete_article(session, admin, article_id=article)
    reembed = runner.invoke(main, ["kb", "reembed"])
    assert reembed.exit_code == 0 and json.loads(reembed.output)["passages_embedded"] == 0
