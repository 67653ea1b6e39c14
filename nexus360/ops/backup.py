"""`backup DIR` and `restore DIR`: every database to a pg_dump file, with a manifest of what each held.

Each database is dumped from one snapshot: a REPEATABLE READ transaction exports it (`pg_export_snapshot`),
counts every table's rows in it, and pg_dump reads the same snapshot (`--snapshot`), so the manifest's counts
are exactly the dump's. The eight databases cannot share one snapshot (they may live on different servers), so
they are dumped referrers first (forecasting, compensation, ... auth last): a row that names a user or a deal
in another database was written before that database was dumped, and users and hand-off records are never
deleted, only deactivated or closed. `python -m nexus360 check` after a restore confirms it.

A restore fills empty databases only (it creates missing ones where the server allows), each in one
transaction (`pg_restore --single-transaction --exit-on-error`): all of a database or nothing. Then it grants the
app's role its access again and compares every table's rows with the manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nexus360.common.errors import ValidationError
from nexus360.db import Database, migrate
from nexus360.ops import pgtools, tables

MANIFEST = "manifest.json"
FORMAT = 1
# Referrers before what they refer to (see above).
ORDER = (Database.FORECASTING, Database.COMPENSATION, Database.CHAT, Database.NOTIFICATIONS, Database.MARKETING,
         Database.CRM, Database.INTEGRATION, Database.AUTH)
Progress = Callable[[str], None]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(directory: Path, *, progress: Progress = lambda _line: None) -> dict[str, Any]:
    """Dump every database into `directory` (new or empty) and write its manifest; returns the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise ValidationError(f"{directory} is not empty: give a new or empty directory for the backup.")
    directory.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    databases = {}
    for database in ORDER:
        databases[database.value] = _dump(database, directory)
        progress(f"{database.value}: {sum(databases[database.value]['rows'].values()):,} rows")
    manifest = {"format": FORMAT, "started_at": started.isoformat(), "finished_at": datetime.now(UTC).isoformat(),
                "order": [database.value for database in ORDER], "databases": databases}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _dump(database: Database, directory: Path) -> dict[str, Any]:
    target = pgtools.target(database)
    file = directory / f"{database.value}.dump"
    with tables.owner_connection(database, isolation_level="REPEATABLE READ") as connection:
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        rows = tables.row_counts(connection)
        revision = tables.revision(connection)
        pgtools.run("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={file}",
                                f"--dbname={target.uri}"], to=target)
    return {"file": file.name, "sha256": _sha256(file), "bytes": file.stat().st_size, "revision": revision,
            "rows": rows}


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError as error:
        raise ValidationError(f"{directory} holds no backup: {MANIFEST} is missing.") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path} is not a backup manifest (not JSON).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or \
            not isinstance(manifest.get("databases"), dict):
        raise ValidationError(f"{path} is not a backup manifest of this version (format {FORMAT}).")
    unknown = sorted(set(manifest["databases"]) - {database.value for database in Database})
    if unknown:
        raise ValidationError(f"{path} names databases this installation does not have: {', '.join(unknown)}.")
    return manifest


def restore(directory: Path, *, progress: Progress = lambda _line: None) -> dict[str, Any]:
    """Restore a backup into empty databases and check every table's row count against the manifest."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    entries = {Database(name): entry for name, entry in manifest["databases"].items()}
    for database, entry in entries.items():  # everything checked before anything is written
        file = directory / str(entry.get("file", ""))
        if not file.is_file() or _sha256(file) != entry.get("sha256"):
            raise ValidationError(f"{file.name or database.value}: the dump file is missing or damaged "
                                  "(its checksum differs from the manifest's).")
    for database in entries:
        migrate.ensure_database_exists(database)
        held = _table_count(database)
        if held:
            raise ValidationError(f"The {database.value} database is not empty ({held} tables): a restore only "
                                  "fills empty databases. Drop and create it, or point its URL at a new one.")
    report: dict[str, Any] = {}
    for database, entry in entries.items():
        target = pgtools.target(database)
        pgtools.run("pg_restore", ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
                                   f"--dbname={target.uri}", str(directory / entry["file"])], to=target)
        migrate.grant_app_access(database)
        report[database.value] = _compare(database, entry["rows"])
        progress(f"{database.value}: {sum(entry['rows'].values()):,} rows restored")
    differing = {name: result["differences"] for name, result in report.items() if result["differences"]}
    if differing:
        raise ValidationError(f"The restored row counts differ from the backup's: {json.dumps(differing)}")
    return {"restored_from": str(directory), "backup_started_at": manifest.get("started_at"), "databases": report}


def _table_count(database: Database) -> int:
    with tables.owner_connection(database) as connection:
        return len(tables.table_names(connection))


def _compare(database: Database, expected: dict[str, int]) -> dict[str, Any]:
    with tables.owner_connection(database) as connection:
        found = tables.row_counts(connection)
    differences = {name: {"backup": expected.get(name), "restored": found.get(name)}
                   for name in sorted(set(expected) | set(found)) if expected.get(name) != found.get(name)}
    return {"tables": len(found), "rows": sum(found.values()), "differences": differences}
