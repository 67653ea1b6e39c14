"""`backup DIR` / `restore DIR`: the demo data round-trips, row for row, into empty databases."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from nexus360.cli import main
from nexus360.config import reset_settings
from nexus360.db import Database, dispose_engines, resolve_url, session_scope
from nexus360.ops import backup
from tests.conftest import saved_environment

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture(scope="module")
def dumped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    directory = tmp_path_factory.mktemp("backup") / "nightly"
    result = CliRunner().invoke(main, ["backup", str(directory)])
    assert result.exit_code == 0, result.output
    return directory, json.loads(result.stdout)


def test_a_backup_has_one_dump_per_database_and_a_manifest_of_row_counts(dumped) -> None:
    directory, manifest = dumped
    assert json.loads((directory / "manifest.json").read_text()) == manifest
    assert manifest["order"][-1] == "auth" and set(manifest["order"]) == {database.value for database in Database}
    for name, entry in manifest["databases"].items():
        assert (directory / entry["file"]).stat().st_size == entry["bytes"] > 0
        assert entry["revision"].startswith(name)
    with session_scope(Database.AUTH, admin=True) as session:
        users = session.execute(text("SELECT count(*) FROM users")).scalar_one()
    assert manifest["databases"]["auth"]["rows"]["users"] == users > 0
    assert manifest["databases"]["crm"]["rows"]["deals"] > 0


def test_restore_fills_empty_databases_and_checks_every_count(dumped) -> None:
    directory, manifest = dumped
    prefix = f"restored_{uuid.uuid4().hex[:6]}_"
    with saved_environment():
        os.environ["NEXUS360_DATABASE_PREFIX"] = prefix
        reset_settings()
        dispose_engines()
        try:
            result = CliRunner().invoke(main, ["restore", str(directory)])
            assert result.exit_code == 0, result.output
            report = json.loads(result.stdout)
            for name, entry in manifest["databases"].items():
                assert report["databases"][name]["rows"] == sum(entry["rows"].values())
                assert report["databases"][name]["differences"] == {}
            health = CliRunner().invoke(main, ["health"])
            assert health.exit_code == 0, health.stdout  # migrated, guarded, and the app's role reads them
            with session_scope(Database.CRM) as session:
                assert session.execute(text("SELECT count(*) FROM deals")).scalar_one() == \
                    manifest["databases"]["crm"]["rows"]["deals"]
            again = CliRunner().invoke(main, ["restore", str(directory)])
            assert again.exit_code == 1 and "is not empty" in again.output
        finally:
            _drop_databases()


def _drop_databases() -> None:
    dispose_engines()
    for database in Database:
        url = make_url(resolve_url(database, admin=True))
        engine = create_engine(url.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        engine.dispose()


def test_a_damaged_backup_is_refused_before_anything_is_written(dumped, tmp_path: Path) -> None:
    directory, manifest = dumped
    copy = tmp_path / "copy"
    copy.mkdir()
    for file in directory.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    with (copy / manifest["databases"]["crm"]["file"]).open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00\x01\x02")
    result = CliRunner().invoke(main, ["restore", str(copy)])
    assert result.exit_code == 1 and "crm.dump: the dump file is missing or damaged" in result.output
    assert "Traceback" not in result.output


def test_a_directory_without_a_manifest_or_not_empty_is_refused(tmp_path: Path) -> None:
    assert "holds no backup" in CliRunner().invoke(main, ["restore", str(tmp_path)]).output
    (tmp_path / "something").write_text("x")
    with pytest.raises(Exception, match="is not empty"):
        backup.backup(tmp_path)
