"""Opening what people upload: a CSV file or an Excel workbook, told apart by their first bytes."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import IO

from nexus360.importing.reader import ImportFileError, TableFile, open_csv_stream
from nexus360.importing.workbook import open_workbook

Source = str | os.PathLike[str] | IO[bytes]
ZIP_MAGIC = b"PK\x03\x04"


def open_table(source: Source, *, sheet: str | None = None) -> TableFile:
    """Open a CSV file or an Excel workbook (its first sheet, or `sheet`) from a path or a binary file object."""
    stream, close, total = _open_source(source)
    try:
        head = stream.read(len(ZIP_MAGIC))
        if isinstance(head, str):
            raise ImportFileError("The file must be opened in binary mode.")
        stream.seek(-len(head), io.SEEK_CUR)
        if head == ZIP_MAGIC:
            return open_workbook(stream, close, sheet=sheet)
        if sheet is not None:
            raise ImportFileError(f"A CSV file has no sheets; '{sheet}' applies to Excel workbooks only.")
        return open_csv_stream(stream, total, close)
    except BaseException:
        close()
        raise


def _open_source(source: Source) -> tuple[IO[bytes], Callable[[], None], int | None]:
    if isinstance(source, str | os.PathLike):
        try:
            stream: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed by the file's close()
        except OSError as error:
            raise ImportFileError(f"Cannot open {os.fspath(source)}: {error.strerror or error}.") from error
        return stream, stream.close, os.fstat(stream.fileno()).st_size
    return source, (lambda: None), _remaining_size(source)


def _remaining_size(stream: IO[bytes]) -> int | None:
    try:
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return None
