"""Reading uploaded files into Markdown (bytes in, text out: no session, no I/O).

Markdown is kept as written; Word headings ("Heading 1".."Heading 6", "Title") become Markdown
headings; plain text and PDF get headings from lines that look like one (short, no closing full stop,
followed by text), so their passages keep a heading too.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePath

from nexus360.common.errors import ValidationError

MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".pdf": "pdf", ".docx": "word"}


@dataclass(frozen=True)
class Document:
    title: str
    markdown: str
    source_type: str


def read_document(filename: str, data: bytes) -> Document:
    """The file's text as Markdown, with a title (its first heading, else its name)."""
    name = PurePath(filename or "").name or "file"
    kind = FILE_TYPES.get(PurePath(name).suffix.lower())
    if kind is None:
        raise ValidationError(f"{name}: only Markdown (.md), text (.txt), PDF (.pdf) and Word (.docx) files "
                              "can be added.")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    reader = {"markdown": _decode, "text": _text, "pdf": _pdf, "word": _word}[kind]
    try:
        markdown, title = reader(data)
    except ValidationError:
        raise
    except Exception as error:  # a damaged or disguised file: the parsers raise many kinds
        raise ValidationError(f"{name} could not be read as a {kind} file ({type(error).__name__}).") from error
    markdown = markdown.strip()
    if not markdown:
        raise ValidationError(f"{name} has no text to add (a scanned PDF needs text recognition first).")
    return Document(title=(title or _first_heading(markdown) or PurePath(name).stem)[:255], markdown=markdown,
                    source_type=kind)


def _decode(data: bytes) -> tuple[str, str | None]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), None
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), None


def _text(data: bytes) -> tuple[str, str | None]:
    return text_to_markdown(_decode(data)[0]), None


def _pdf(data: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ValidationError("The PDF is password-protected; add an unprotected copy.")
    pages = [page.extract_text() or "" for page in reader.pages]
    title = (reader.metadata.title if reader.metadata else None) or None
    return text_to_markdown("\n\n".join(pages)), (title.strip() or None) if title else None


def _word(data: bytes) -> tuple[str, str | None]:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    title = (document.core_properties.title or "").strip() or None
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if not text:
            lines.append("")
        elif style == "Title":
            title = title or text
            lines += [f"# {text}", ""]
        elif style.startswith("Heading") and style[-1:].isdigit():
            lines += [f"{'#' * min(6, int(style[-1]))} {text}", ""]
        elif "List" in style:
            lines.append(f"- {text}")
        else:
            lines += [text, ""]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
        lines.append("")
    return "\n".join(lines), title


_LOOKS_LIKE_HEADING = re.compile(r"^[A-Z0-9][^.!?;:,]{1,70}$")


def text_to_markdown(text: str) -> str:
    """Plain text with headings marked: a short line without closing punctuation, followed by text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        following = next((item.strip() for item in lines[index + 1:] if item.strip()), "")
        if (_LOOKS_LIKE_HEADING.match(stripped) and len(stripped.split()) <= 10 and len(following) > len(stripped)
                and not stripped.startswith(("- ", "* "))):
            out += ["", f"## {stripped}", ""]
        else:
            out.append(line.rstrip())
    return "\n".join(out)


def _first_heading(markdown: str) -> str | None:
    for line in markdown.split("\n"):
        match = re.match(r"^#{1,6}\s+(.+)$", line.strip())
        if match:
            return match.group(1).strip()
    return None
