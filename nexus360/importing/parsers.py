"""Cell parsers for messy CSV exports: each takes the raw text and returns a value, None for blank.

They raise ValueError with a reason in plain words; the importer reports it with the row's line.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from nexus360.common.text import CONTROLS

_SPACES = re.compile(r"\s+")
# Spaces (also no-break and narrow no-break) and apostrophes group thousands: "1 234", "1'234".
_GROUPING = re.compile(r"[\s\u00a0\u202f'’]")
_CURRENCY = re.compile(r"^[A-Za-z]{3}(?=[\s\d.,(+-])|(?<=[\d\s.,)])[A-Za-z]{3}$|[$€£¥₹]")
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
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: .*)?$")
_NAMED_MONTH = re.compile(r"^(\d{1,2})[\s/.-]*([A-Za-z]+)\.?[\s/.,-]*(\d{4})$")
_TRUE = {"true", "yes", "y", "1", "x", "t", "on", "ja", "oui", "si", "sí"}
_FALSE = {"false", "no", "n", "0", "f", "off", "nein", "non"}


def parse_text(raw: str | None) -> str | None:
    """Trim and collapse inner whitespace; a blank cell becomes None."""
    if raw is None:
        return None
    cleaned = _SPACES.sub(" ", CONTROLS.sub("", raw)).strip()
    return cleaned or None


def parse_decimal(raw: str | None) -> Decimal | None:
    """A number written with thousands separators in either style: "1,234.50", "1.234,50", "1 234", "$1,234"."""
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
    body = _GROUPING.sub("", body)
    normalised = _normalise_separators(body)
    if normalised is None or not _PLAIN.match(normalised):
        raise ValueError(f"'{text[:40]}' is not a number")
    try:
        number = Decimal(normalised)
    except InvalidOperation as error:  # pragma: no cover - the pattern above admits only valid numbers
        raise ValueError(f"'{text[:40]}' is not a number") from error
    return -number if negative else number


def _normalise_separators(body: str) -> str | None:
    """Decide which of ',' and '.' is the decimal mark and drop the thousands one."""
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _, fraction = body.rpartition(decimal_mark)
        if thousands in fraction or not _grouped(whole, thousands):
            return None
        return whole.replace(thousands, "") + "." + fraction
    if commas:
        # "1,234" and "1,234,567" group thousands; "12,5" and "1234,56" use a decimal comma.
        head, _, tail = body.rpartition(",")
        if commas == 1 and not (len(tail) == 3 and _grouped(body, ",")):
            return head + "." + tail
        return body.replace(",", "") if _grouped(body, ",") else None
    if dots > 1:
        return body.replace(".", "") if _grouped(body, ".") else None
    return body  # one dot at most: a decimal point ("1.5", "1.234" is one point two three four)


def _grouped(whole: str, separator: str) -> bool:
    """True for digits grouped by threes with `separator` ("1,234,567"), or plain digits."""
    if separator not in whole:
        return whole.isdigit()
    first, *groups = whole.split(separator)
    return first.isdigit() and len(first) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups)


def parse_int(raw: str | None) -> int | None:
    """A whole number, thousands separators allowed."""
    number = parse_decimal(raw)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"'{parse_text(raw)}' is not a whole number")
    return int(number)


def parse_date(raw: str | None) -> date | None:
    """ISO (2024-03-05), day-first (05/03/2024, 05.03.2024, 05-03-2024) or 05-Mar-2024; ambiguous is day-first."""
    text = parse_text(raw)
    if text is None:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
        if month > 12:
            raise ValueError(f"'{text}' is not a date: dates are read day first (dd/mm/yyyy) and {month} is no month")
    elif (match := _NAMED_MONTH.match(text)) and match.group(2).lower() in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
    else:
        raise ValueError(f"'{text[:40]}' is not a date (use yyyy-mm-dd or dd/mm/yyyy)")
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueError(f"'{text}' is not a date: {error}") from error


def parse_bool(raw: str | None) -> bool | None:
    """yes/no, true/false, y/n, 1/0, x (ticked) and a few other languages' yes and no."""
    text = parse_text(raw)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"'{text[:40]}' is not yes or no")


def parse_email(raw: str | None) -> str | None:
    """Trimmed and lower-cased (validity is checked by the domain's schema)."""
    text = parse_text(raw)
    return None if text is None else text.lower()
