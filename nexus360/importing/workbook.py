"""Reading Excel workbooks (.xlsx) with openpyxl in read-only mode: rows are streamed from the sheet's XML,
so memory stays bounded by the shared strings, not by the number of rows.

Cells keep their type: numbers stay numbers and date cells stay dates (the parsers take them as they are),
so a workbook never depends on a decimal mark or a date order. Line numbers are the sheet's row numbers.
Before openpyxl reads anything, the archive's declared sizes are checked, so a small upload cannot unpack
into gigabytes.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from nexus360.importing.parsers import parse_text
from nexus360.importing.reader import ImportFileError, binary_data_error

MAX_UNPACKED_BYTES = 2 * 1024**3  # every part of the archive together
MAX_PART_BYTES = 1024**3  # one sheet, or the shared strings


@dataclass
class XlsxFile:
    """One sheet of an open workbook: its header and an iterator of its data rows (typed cells)."""

    sheet: str
    sheets: list[str]
    header: list[str]
    header_line: int
    max_row: int | None
    _rows: Iterator[tuple[int, tuple[Any, ...]]] = field(repr=False)
    _close: Callable[[], None] = field(repr=False)
    encoding: str = "xlsx"
    delimiter: str = ""
    _line: int = 0

    @property
    def fraction(self) -> float | None:
        if not self.max_row:
            return None
        return min(1.0, self._line / self.max_row)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells) of every non-blank data row."""
        for line, values in self._rows:
            self._line = line
            cells = list(values)
            if any(parse_text(cell) is not None for cell in cells):
                if (error := binary_data_error(line, self.header, cells)) is not None:
                    raise error
                yield line, cells

    def close(self) -> None:
        self._close()

    def __enter__(self) -> XlsxFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_workbook(stream: IO[bytes], close: Callable[[], None], *, sheet: str | None = None) -> XlsxFile:
    """The workbook's first sheet (or `sheet`), positioned after its header row."""
    _check_archive(stream)
    import openpyxl  # only workbooks need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style" and the like: nothing a person can act on
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(f"This Excel workbook cannot be read ({type(error).__name__}). Open it in Excel, "
                              "save it again as .xlsx (or as CSV) and try again.") from error

    def close_all() -> None:
        book.close()
        close()

    names = list(book.sheetnames)
    if sheet is not None and sheet not in names:
        close_all()
        raise ImportFileError(f"The workbook has no sheet '{sheet}'; its sheets are: "
                              f"{', '.join(repr(name) for name in names)}.")
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
    xlsx = XlsxFile(worksheet.title, names, [], 0, worksheet.max_row, rows, close_all)
    for line, cells in xlsx.rows():
        xlsx.header = [parse_text(cell) or "" for cell in cells]
        xlsx.header_line = line
        break
    if not any(xlsx.header):
        close_all()
        raise ImportFileError(f"The sheet '{worksheet.title}' is empty: it has no header row naming its columns.")
    return xlsx


def _check_archive(stream: IO[bytes]) -> None:
    start = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
    except zipfile.BadZipFile as error:
        raise ImportFileError("This looks like an Excel workbook but cannot be opened (the archive is damaged). "
                              "Save it again as .xlsx or as CSV and try again.") from error
    finally:
        stream.seek(start)
    if "xl/workbook.xml" not in names:
        raise ImportFileError("This is a ZIP archive, not an Excel workbook (.xlsx) or a CSV file.")
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES or any(
        part.file_size > MAX_PART_BYTES for part in parts
    ):
        raise ImportFileError("This workbook unpacks to more than the importer reads (over 1 GB in one sheet); "
                              "split it, or save it as CSV.")
