"""Cell parsers for messy exports: each takes the raw cell and returns a value, None for blank.

A cell is text (CSV) or a typed value (an Excel cell: number, date, bool). Numbers and dates are read
as people write them; where a file's convention decides (is "1.100" one thousand one hundred or one
point one? is 3/1/2017 the 3rd of January or the 1st of March?) the `Formats` of the import decide,
chosen by the person or detected from the whole file (see `evidence`). Parsers raise ValueError with a
reason in plain words; the importer reports it with the row's line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, Literal, TypeVar

from nexus360.common.text import CONTROLS

DecimalMark = Literal[".", ","]
DateOrder = Literal["dmy", "mdy"]
Cell = str | int | float | Decimal | date | bool | None


@dataclass(frozen=True)
class Formats:
    """How a file writes numbers and dates: None means each value is read by its own shape."""

    decimal_mark: DecimalMark | None = None
    date_order: DateOrder | None = None  # None: day first (31/12/2025)


AUTO = Formats()
DATE_ORDERS: dict[DateOrder, str] = {"dmy": "day first (31/12/2025)", "mdy": "month first (12/31/2025)"}
DECIMAL_MARKS: dict[DecimalMark, str] = {".": "1,234.56", ",": "1.234,56"}

_SPACES = re.compile(r"\s+")
# Spaces (also no-break and narrow no-break) and apostrophes group thousands: "1 234", "1'234".
_GROUPING = re.compile(r"[\s\u00a0\u202f'’]")
_CURRENCY = re.compile(r"^[A-Za-z]{3}(?=[\s\d.,(+-])|(?<=[\d\s.,)])[A-Za-z]{3}$|[$€£¥₹]")
_SUFFIX = re.compile(r"(?i)(?<=\d)\s*(k|m|mn|mm|bn)$")
_MULTIPLIERS = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mm": 1_000_000, "bn": 1_000_000_000}
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # 20170301
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T].*)?$")
_NAMED_MONTH = re.compile(r"^(\d{1,2})[\s/.-]*([A-Za-z]+)\.?[\s/.,-]*(\d{4})$")
_MONTH_NAMED_FIRST = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
# Excel stores dates as days since 1899-12-30; five digits cover 1927-05-18 to 2173-10-14, where a
# close date or a start date lies, and keep a year ("2017") or an amount from being read as a date.
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_TRUE = {"true", "yes", "y", "1", "x", "t", "on", "ja", "oui", "si", "sí"}
_FALSE = {"false", "no", "n", "0", "f", "off", "nein", "non"}


def parse_text(raw: Cell) -> str | None:
    """Trim and collapse inner whitespace; a blank cell becomes None. Typed cells are written plainly."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        return _typed_text(raw)
    cleaned = _SPACES.sub(" ", CONTROLS.sub("", raw)).strip()
    return cleaned or None


def _typed_text(value: Cell) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_decimal(raw: Cell, formats: Formats = AUTO) -> Decimal | None:
    """A number as people write it: "1,234.50", "1.234,50", "1 234", "$1,234", "(1,000)", "1.1k"."""
    if isinstance(raw, bool):
        raise ValueError(f"'{parse_text(raw)}' is not a number")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, date):
        raise ValueError(f"'{parse_text(raw)}' is a date, not a number")
    text = parse_text(raw)
    if text is None:
        return None
    body = _CURRENCY.sub("", text).strip()
    negative = body.startswith("(") and body.endswith(")")
    if negative:
        body = body[1:-1].strip()
    if body[:1] in ("+", "-"):
        negative = negative or body[0] == "-"
        body = body[1:]
    multiplier = 1
    if suffix := _SUFFIX.search(body):
        multiplier = _MULTIPLIERS[suffix.group(1).lower()]
        body = body[: suffix.start()]
    body = _GROUPING.sub("", body)
    mark = formats.decimal_mark
    normalised = _normalise_separators(body) if mark is None else _with_mark(body, mark)
    if normalised is None or not _PLAIN.match(normalised):
        looks_numeric = formats.decimal_mark and any(char.isdigit() for char in text)
        hint = f" written {DECIMAL_MARKS[formats.decimal_mark]}" if looks_numeric else ""  # type: ignore[index]
        raise ValueError(f"'{text[:40]}' is not a number{hint}")
    try:
        number = Decimal(normalised)
    except InvalidOperation as error:  # pragma: no cover - the pattern above admits only valid numbers
        raise ValueError(f"'{text[:40]}' is not a number") from error
    if multiplier != 1:  # 1.1k is 1100, not 1100.0
        number *= multiplier
        number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    return -number if negative else number


def _normalise_separators(body: str) -> str | None:
    """Decide from the value alone which of ',' and '.' is the decimal mark and drop the thousands one."""
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        return _with_mark(body, "," if body.rfind(",") > body.rfind(".") else ".")
    if commas:
        # "1,234" and "1,234,567" group thousands; "12,5" and "1234,56" use a decimal comma.
        head, _, tail = body.rpartition(",")
        if commas == 1 and not (len(tail) == 3 and _grouped(body, ",")):
            return head + "." + tail
        return body.replace(",", "") if _grouped(body, ",") else None
    if dots > 1:
        return body.replace(".", "") if _grouped(body, ".") else None
    return body  # one dot at most: a decimal point ("1.5", "1.234" is one point two three four)


def _with_mark(body: str, mark: DecimalMark) -> str | None:
    """`body` read with `mark` as the decimal mark and the other one grouping thousands."""
    thousands = "." if mark == "," else ","
    if body.count(mark) > 1:
        return None
    whole, found, fraction = body.partition(mark)
    if thousands in fraction or not _grouped(whole, thousands):
        return None
    return whole.replace(thousands, "") + ("." + fraction if found else "")


def _grouped(whole: str, separator: str) -> bool:
    """True for digits grouped by threes with `separator` ("1,234,567"), or plain digits."""
    if separator not in whole:
        return whole.isdigit()
    first, *groups = whole.split(separator)
    return first.isdigit() and len(first) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups)


def parse_int(raw: Cell, formats: Formats = AUTO) -> int | None:
    """A whole number, thousands separators allowed; "1.200" and "1,200" are 1200 unless the file says otherwise."""
    if formats.decimal_mark is None and ambiguous_number(raw):  # one mark, three digits: it groups thousands
        formats = Formats(decimal_mark="," if "." in str(raw) else ".", date_order=formats.date_order)
    number = parse_decimal(raw, formats)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"'{parse_text(raw)}' is not a whole number")
    return int(number)


def parse_date(raw: Cell, formats: Formats = AUTO) -> date | None:
    """ISO (2024-03-05), 05/03/2024 in the file's order (day first unless told), 05-Mar-2024, March 5, 2024,
    20240305, or an Excel serial date (45356)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return _serial(raw, str(raw))
    text = parse_text(raw)
    if text is None:
        return None
    if match := _ISO.match(text) or _COMPACT.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _NUMERIC.match(text):
        day, month, year = _numeric(text, match, formats.date_order or "dmy")
    elif (match := _NAMED_MONTH.match(text)) and match.group(2).lower() in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
    elif (match := _MONTH_NAMED_FIRST.match(text)) and match.group(1).lower() in _MONTHS:
        day, month, year = int(match.group(2)), _MONTHS[match.group(1).lower()], int(match.group(3))
    elif _SERIAL.match(text):
        return _serial(Decimal(text), text)
    else:
        raise ValueError(f"'{text[:40]}' is not a date (use yyyy-mm-dd or dd/mm/yyyy)")
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueError(f"'{text}' is not a date: {error}") from error


def _numeric(text: str, match: re.Match[str], order: DateOrder) -> tuple[int, int, int]:
    first, second, year_text = match.groups()
    day, month = (int(first), int(second)) if order == "dmy" else (int(second), int(first))
    if month > 12:
        shape = "day first (dd/mm/yyyy)" if order == "dmy" else "month first (mm/dd/yyyy)"
        raise ValueError(f"'{text}' is not a date: dates are read {shape} and {month} is no month")
    year = int(year_text)
    if len(year_text) == 2:  # 3/1/17: this century up to 69, the last one from 70
        year += 2000 if year < 70 else 1900
    return day, month, year


def _serial(number: int | float | Decimal, text: str) -> date:
    days = int(number)
    if not 1 <= days <= 2_958_465:  # 9999-12-31
        raise ValueError(f"'{text[:40]}' is not a date")
    return _EXCEL_EPOCH + timedelta(days=days)


def parse_bool(raw: Cell) -> bool | None:
    """yes/no, true/false, y/n, 1/0, x (ticked) and a few other languages' yes and no."""
    if isinstance(raw, bool):
        return raw
    text = parse_text(raw)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"'{text[:40]}' is not yes or no")


def parse_email(raw: Cell) -> str | None:
    """Trimmed and lower-cased (validity is checked by the domain's schema)."""
    text = parse_text(raw)
    return None if text is None else text.lower()


# --- the file's conventions -----------------------------------------------------------------------

NUMBER_PARSERS: set[Callable[..., Any]] = {parse_decimal, parse_int}
DATE_PARSERS: set[Callable[..., Any]] = {parse_date}
Parser = TypeVar("Parser", bound=Callable[..., Any])


def reads_numbers(parse: Parser) -> Parser:
    """Mark a domain's parser that takes `formats=` and reads a number (its column's values show the decimal mark)."""
    NUMBER_PARSERS.add(parse)
    return parse


def bind(parse: Callable[..., Any], formats: Formats) -> Callable[[Cell], Any]:
    """`parse` with the file's formats, if it reads numbers or dates; otherwise `parse` itself."""
    return partial(parse, formats=formats) if parse in NUMBER_PARSERS or parse in DATE_PARSERS else parse


def number_evidence(raw: Cell) -> DecimalMark | None:
    """The decimal mark a number cell can only have been written with ("1.234,5" -> ","), else None."""
    if not isinstance(raw, str):
        return None
    body = _GROUPING.sub("", _CURRENCY.sub("", raw.strip())).strip("()+- ")
    body = _SUFFIX.sub("", body)
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        return "," if body.rfind(",") > body.rfind(".") else "."
    for mark, other_count in ((",", commas), (".", dots)):
        if other_count == 1 and len(body.rpartition(mark)[2]) != 3:
            return mark  # "12,5" or "1.25": a decimal mark
        if other_count > 1:
            return "." if mark == "," else ","  # "1,234,567": commas group, so the decimal mark is the other
    return None


def ambiguous_number(raw: Cell) -> bool:
    """A number that reads differently with a decimal point or comma: "1,100", "2.500" (one mark, 3 digits after)."""
    if not isinstance(raw, str) or number_evidence(raw) is not None:
        return False
    body = _SUFFIX.sub("", _GROUPING.sub("", _CURRENCY.sub("", raw.strip())).strip("()+- "))
    whole, mark, fraction = body.rpartition("," if "," in body else ".")
    return bool(mark) and whole.isdigit() and len(whole) <= 3 and len(fraction) == 3 and fraction.isdigit()


def date_evidence(raw: Cell) -> DateOrder | None:
    """The order a date cell can only have been written in (31/12/2025 -> dmy, 12/31/2025 -> mdy), else None."""
    if not isinstance(raw, str):
        return None
    match = _NUMERIC.match(raw.strip())
    if match is None:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return None
