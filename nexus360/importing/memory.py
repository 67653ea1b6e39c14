"""Remembered answers: what a person decided for a file with a given set of columns (the column mapping,
how numbers and dates are written, what each unknown value becomes), offered again the next time they
import a file with the same columns, so a second import of the same export asks nothing.

One row per (user, entity, set of columns) in `import_choices`, which every database an importer writes to
has (migrations crm_0020 and marketing_0020), under row-level security: each person reads and writes only
their own. Only what the person chose is kept, never the file's rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, func, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import Session

from nexus360.importing.spec import normalise_header
from nexus360.importing.values import ValueChoices

IMPORT_CHOICES = Table(
    "import_choices", MetaData(),
    Column("user_id", BigInteger, primary_key=True),
    Column("entity", String(50), primary_key=True),
    Column("columns_key", String(64), primary_key=True),
    Column("choices", JSONB, nullable=False),
    Column("updated_at", DateTime, nullable=False, server_default=func.timezone("utc", func.now())),
)

DDL = """
CREATE TABLE IF NOT EXISTS import_choices (
    user_id BIGINT NOT NULL,
    entity VARCHAR(50) NOT NULL,
    columns_key VARCHAR(64) NOT NULL,
    choices JSONB NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT timezone('utc', now()),
    PRIMARY KEY (user_id, entity, columns_key)
);
"""
OWN_ROWS = "user_id = nexus360_user_id()"


class Remembered(BaseModel):
    """What a person chose for one set of columns."""

    mapping: dict[str, str] = {}  # field -> column ("" : not imported)
    decimal_mark: str | None = None
    date_order: str | None = None
    sheet: str | None = None
    choices: ValueChoices = ValueChoices()


def columns_key(header: Sequence[str]) -> str:
    """The same for any file with these columns, in any order and whatever their case or spacing."""
    names = sorted({normalise_header(name) for name in header if name and name.strip()})
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()


def recall(session: Session, *, user_id: int, entity: str, header: Sequence[str]) -> Remembered | None:
    """What `user_id` chose when they last imported `entity` from a file with these columns."""
    statement = select(IMPORT_CHOICES.c.choices).where(
        IMPORT_CHOICES.c.user_id == user_id, IMPORT_CHOICES.c.entity == entity,
        IMPORT_CHOICES.c.columns_key == columns_key(header),
    )
    stored = session.execute(statement).scalar_one_or_none()
    return None if stored is None else Remembered.model_validate(stored)


def remember(session: Session, *, user_id: int, entity: str, header: Sequence[str], chosen: Remembered) -> None:
    """Keep `chosen` for the next file with these columns; decisions on values this file did not hold stay."""
    earlier = recall(session, user_id=user_id, entity=entity, header=header)
    if earlier is not None:
        chosen = chosen.model_copy(update={"choices": earlier.choices.merged(chosen.choices)})
    document = chosen.model_dump(mode="json")
    statement = insert(IMPORT_CHOICES).values(user_id=user_id, entity=entity, columns_key=columns_key(header),
                                              choices=document)
    session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "entity", "columns_key"],
        set_={"choices": document, "updated_at": func.timezone("utc", func.now())},
    ))
