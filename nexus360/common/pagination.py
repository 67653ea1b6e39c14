"""Keyset pagination: a page of rows and the key to ask for the next one (never OFFSET on big tables)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, or_
from sqlalchemy.sql.elements import ColumnElement

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page:
    rows: pd.DataFrame
    next_after: tuple | None  # pass back as `after` for the next page; None on the last page


def clamp(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE_SIZE))


def after_clause(columns: Sequence[ColumnElement], after: Sequence[Any], *, descending: bool = False) -> ColumnElement:
    """Rows strictly after `after` in (columns) order; NULL-free columns only (use coalesce)."""
    clauses = []
    for index, column in enumerate(columns):
        equal = [columns[i] == after[i] for i in range(index)]
        beyond = column < after[index] if descending else column > after[index]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def fetch_page(session, statement: Select, *, key: Sequence[str], limit: int) -> Page:
    """Run `statement` (already ordered and filtered past `after`) for one page plus one row."""
    limit = clamp(limit)
    result = session.execute(statement.limit(limit + 1))
    columns = list(result.keys())
    rows = result.all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_after = tuple(getattr(rows[-1], column) for column in key) if more else None
    return Page(rows=pd.DataFrame(rows, columns=columns), next_after=next_after)
