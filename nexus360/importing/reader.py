"""Reading CSV files as people export them: UTF-8 (with or without BOM), Windows-1252 or UTF-16, separated by
commas, semicolons or tabs, streamed. Excel workbooks are read by `workbook.py`; `tables.open_table` picks the reader.

A file is read once, front to back, through a small buffer; line numbers are the file's own (the header
is line 1) and the bytes read so far drive a progress bar. A cell holding a NUL character (binary data
that PostgreSQL refuses as text) stops the read with its line and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from nexus360.common.errors import Nexus360Error

SAMPLE_BYTES = 64 * 1024
SNIFF_LINES = 30
MAX_FIELD_CHARS = 1_000_000  # one cell; beyond this the file is not a CSV export
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_FALLBACK_ERRORS = "nexus360-cp1252-fallback"

class ImportFileError(Nexus360Error):
    """The file cannot be imported at all (unreadable, no header, a mapping names a missing column)."""


class TableFile(Protocol):
    """An open file of rows (CSV or a workbook's sheet): its header, data rows and how far it has been read."""

    encoding: str
    delimiter: str
    header: list[str]
    header_line: int
    sheet: str | None
    sheets: list[str]

    @property
    def fraction(self) -> float | None: ...

    def rows(self) -> Iterator[tuple[int, list[Any]]]: ...

    def close(self) -> None: ...

    def __enter__(self) -> TableFile: ...

    def __exit__(self, *_: object) -> None: ...


def binary_data_error(line: int, header: Sequence[str], cells: Sequence[Any]) -> ImportFileError | None:
    """The error for a row with a NUL character in a cell (PostgreSQL stores no NUL in text), else None."""
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and "\x00" in cell:
            column = header[index] if index < len(header) and header[index] else f"number {index + 1}"
            return ImportFileError(
                f"Line {line:,}, column '{column}' holds binary data (a NUL character), not text: the file is "
                "damaged or is not an export of text. Nothing was imported; fix or remove that line and try again."
            )
    return None


def _fallback(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 inside a UTF-8 file are read as Windows-1252 (a pasted "é" or "€")."""
    assert isinstance(error, UnicodeDecodeError)
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", errors="replace"), error.end


codecs.register_error(_FALLBACK_ERRORS, _fallback)


class _CountingReader(io.RawIOBase):
    """Serves the bytes already sniffed, then the rest of the source, counting what was read."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self._prefix = prefix
        self._rest = rest
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
        else:
            data = self._rest.read(len(buffer))
            size = len(data)
            buffer[:size] = data
        self.bytes_read += size
        return size


@dataclass
class CsvFile:
    """An open CSV file: its encoding, delimiter and header, and an iterator of its data rows."""

    encoding: str
    delimiter: str
    header: list[str]
    header_line: int
    total_bytes: int | None
    _reader: Any = field(repr=False)
    _counter: _CountingReader = field(repr=False)
    _close: Callable[[], None] = field(repr=False)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)

    @property
    def bytes_read(self) -> int:
        return self._counter.bytes_read

    @property
    def fraction(self) -> float | None:
        """How much of the file has been read (None when its size is unknown)."""
        if not self.total_bytes:
            return None
        return min(1.0, self.bytes_read / self.total_bytes)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(first line, cells) of every non-blank data row."""
        previous_end = self._reader.line_num
        try:
            for cells in self._reader:
                line = previous_end + 1
                previous_end = self._reader.line_num
                if any(cell.strip() for cell in cells):
                    if (error := binary_data_error(line, self.header, cells)) is not None:
                        raise error
                    yield line, cells
        except csv.Error as error:
            raise ImportFileError(f"The file cannot be read as CSV after line {previous_end}: {error}.") from error

    def close(self) -> None:
        self._close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_csv_stream(stream: IO[bytes], total: int | None, close: Callable[[], None]) -> CsvFile:
    """Detect the encoding and delimiter of a CSV stream and read its header."""
    sample = stream.read(SAMPLE_BYTES)
    encoding = detect_encoding(sample)
    delimiter = sniff_delimiter(sample.decode(encoding, errors="replace"), complete=len(sample) < SAMPLE_BYTES)
    counter = _CountingReader(sample, stream)
    errors = _FALLBACK_ERRORS if encoding.startswith("utf-8") else "replace"
    text = io.TextIOWrapper(io.BufferedReader(counter), encoding=encoding, errors=errors, newline="")
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(text, delimiter=delimiter)
    csv_file = CsvFile(encoding, delimiter, [], 0, total, reader, counter, close)
    for line, cells in csv_file.rows():
        csv_file.header, csv_file.header_line = [cell.strip() for cell in cells], line
        break
    if not any(csv_file.header):
        raise ImportFileError("The file is empty: it has no header line naming its columns.")
    return csv_file


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without a byte order mark) or UTF-16 with one; anything else is read as Windows-1252."""
    if not sample.strip():
        raise ImportFileError("The file is empty: it has no header line naming its columns.")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise ImportFileError("This is not a CSV file: it contains binary data.")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff_delimiter(sample: str, *, complete: bool = True) -> str:
    """The delimiter of a file's first lines: csv.Sniffer's answer if the lines then have as many cells as the
    header, else whichever of , ; and tab gives the widest consistent header (comma if none splits it)."""
    lines = sample.splitlines()
    lines = lines[:SNIFF_LINES] if complete or len(lines) > SNIFF_LINES else lines[:-1] or lines
    if not lines:
        return ","
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    widths = {delimiter: _consistent_width(lines, delimiter) for delimiter in DELIMITERS}
    if sniffed in widths and widths[sniffed] > 1:
        return sniffed
    best = max(DELIMITERS, key=lambda delimiter: widths[delimiter])
    if widths[best] > 1:
        return best
    return _most_frequent(lines[0])


def _consistent_width(lines: list[str], delimiter: str) -> int:
    """The header's number of cells if most data lines have as many (a short last cell allowed), else 0."""
    rows = [row for row in csv.reader(lines, delimiter=delimiter) if any(cell.strip() for cell in row)]
    if not rows:
        return 0
    width, data = len(rows[0]), rows[1:]
    agreeing = sum(1 for row in data if len(row) == width or (len(row) > width and not any(row[width:])))
    return width if not data or agreeing >= 0.8 * len(data) else 0


def _most_frequent(header_line: str) -> str:
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {delimiter: outside.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","
