import json
import time
import uuid

from click.testing import CliRunner

from nexus360.cli import main
from nexus360.crm.models import Company
from nexus360.db import Database, session_scope
from tests.crm.test_import_scale import write_companies


def test_cli_100k(seeded, tmp_path):
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / "c.csv"
    write_companies(path, 100_000, tag)
    try:
        for label, extra in (("first", []), ("again", []), ("dry-run", ["--dry-run"])):
            t = time.perf_counter()
            r = CliRunner().invoke(main, ["import", "companies", str(path), *extra], catch_exceptions=False)
            s = json.loads(r.stdout)
            print(f"\n{label} {time.perf_counter() - t:.1f}s", {k: s[k] for k in ("inserted", "updated", "unchanged", "skipped")})
    finally:
        with session_scope(Database.CRM, admin=True) as session:
            session.execute(Company.__table__.delete().where(Company.name.contains(tag)))
