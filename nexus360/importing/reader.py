"""Reading CSV files as people export them: any of three encodings and three delimiters, streamed.

A file is read once, front to back, through a small buffer; line numbers are the file's own
(the header is line 1) and the bytes read so far drive a progress bar.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from nexus360.common.errors import Nexus360Error

SAMPLE_BYTES = 64 * 1024
MAX_FIELD_CHARS = 1_000_000  # one cell; beyond this the file is not a CSV export
DELIMITERS = (",", ";", "\t")
_FALLBACK_ERRORS = "nexus360-cp1252-fallback"


class ImportFileError(Nexus360Error):
    """The file cannot be imported at all (unreadable, no header, a mapping names a missing column)."""


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

    @property
    def bytes_read(self) -> int:
        return self._counter.bytes_read

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(first line, cells) of every non-blank data row."""
        previous_end = self._reader.line_num
        try:
            for cells in self._reader:
                line = previous_end + 1
                previous_end = self._reader.line_num
                if any(cell.strip() for cell in cells):
                    yield line, cells
        except csv.Error as error:
            raise ImportFileError(f"The file cannot be read as CSV after line {previous_end}: {error}.") from error

    def close(self) -> None:
        self._close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_csv(source: str | os.PathLike[str] | IO[bytes]) -> CsvFile:
    """Open a CSV file from a path or a binary file object: detect encoding and delimiter, read the header."""
    if isinstance(source, str | os.PathLike):
        try:
            stream: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed by CsvFile.close
        except OSError as error:
            raise ImportFileError(f"Cannot open {os.fspath(source)}: {error.strerror or error}.") from error
        close = stream.close
        total: int | None = os.fstat(stream.fileno()).st_size
    else:
        stream, close, total = source, (lambda: None), _remaining_size(source)
    try:
        return _open_stream(stream, total, close)
    except BaseException:
        close()
        raise


def _remaining_size(stream: IO[bytes]) -> int | None:
    try:
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return None


def _open_stream(stream: IO[bytes], total: int | None, close: Callable[[], None]) -> CsvFile:
    sample = stream.read(SAMPLE_BYTES)
    if isinstance(sample, str):
        raise ImportFileError("The file must be opened in binary mode.")
    encoding = detect_encoding(sample)
    counter = _CountingReader(sample, stream)
    errors = _FALLBACK_ERRORS if encoding.startswith("utf-8") else "replace"
    text = io.TextIOWrapper(io.BufferedReader(counter), encoding=encoding, errors=errors, newline="")
    first_line = text.readline()
    delimiter = sniff_delimiter(first_line)
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(_chain(first_line, text), delimiter=delimiter)
    csv_file = CsvFile(encoding, delimiter, [], 0, total, reader, counter, close)
    for line, cells in csv_file.rows():
        csv_file.header, csv_file.header_line = [cell.strip() for cell in cells], line
        break
    if not any(csv_file.header):
        raise ImportFileError("The file is empty: it has no header line naming its columns.")
    return csv_file


def _chain(first_line: str, rest: IO[str]) -> Iterator[str]:
    if first_line:
        yield first_line
    yield from rest


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without a byte order mark) or UTF-16 with one; anything else is read as Windows-1252."""
    if not sample.strip():
        raise ImportFileError("The file is empty: it has no header line naming its columns.")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if sample.startswith(b"PK\x03\x04"):
        raise ImportFileError("This looks like an Excel workbook, not a CSV file. Save it as CSV and try again.")
    if b"\x00" in sample:
        raise ImportFileError("This is not a CSV file: it contains binary data.")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: whichever of , ; and tab occurs most outside quotes (comma if none)."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {delimiter: outside.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


