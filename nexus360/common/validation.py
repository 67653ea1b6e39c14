"""Turn pydantic's validation errors into one sentence a person can act on."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from nexus360.common.errors import ValidationError

Model = TypeVar("Model", bound=BaseModel)


def label(field: str) -> str:
    return field.replace("_id", "").replace("_", " ").capitalize()


def describe(error: dict[str, Any]) -> str:
    """One pydantic error dict as plain words."""
    field = label(str(error["loc"][-1])) if error.get("loc") else "Value"
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in ("missing", "string_type") and error.get("input") in (None, ""):
        return f"{field} is required."
    if kind == "string_too_long":
        return f"{field} must be at most {context.get('max_length')} characters."
    if kind == "string_too_short":
        return f"{field} is required."
    if kind in ("greater_than_equal", "greater_than"):
        limit = context.get("ge", context.get("gt"))
        return f"{field} must not be negative." if limit == 0 else f"{field} must be at least {limit}."
    if kind in ("less_than_equal", "less_than"):
        return f"{field} must be at most {context.get('le', context.get('lt'))}."
    if kind in ("decimal_parsing", "float_parsing", "int_parsing", "decimal_type"):
        return f"{field} must be a number."
    if kind == "decimal_max_places":
        places = context.get("decimal_places")
        plural = "" if places == 1 else "s"
        return f"{field} can have at most {places} decimal place{plural} (not {error.get('input')})."
    if kind == "decimal_whole_digits":
        return f"{field} is too large: at most {context.get('whole_digits')} digits before the decimal point."
    if kind.startswith("decimal_max"):
        return f"{field} is too large."
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return f"{field} must be a date."
    if kind == "extra_forbidden":
        return f"{field} is not a known field."
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return message[0].upper() + message[1:] if message else f"{field} is not valid."


def friendly(error: PydanticValidationError) -> str:
    return " ".join(dict.fromkeys(describe(item) for item in error.errors()))


def parse(model: type[Model], /, **values: Any) -> Model:
    """Build `model` from form or file values; raise our ValidationError with plain words."""
    try:
        return model(**values)
    except PydanticValidationError as error:
        raise ValidationError(friendly(error)) from None
