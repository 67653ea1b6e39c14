"""A large file imports in bounded memory with its unknown values mapped: the file is checked whole, then
read, validated and written one batch at a time; importing it again changes nothing."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import psutil

from nexus360.auth import service as auth_service
from nexus360.db import Database
from nexus360.importing.answers import accept_suggestions
from nexus360.importing.core import ImportPlan, check_file, run_import
from nexus360.importing.registry import get_importer
from nexus360.importing.values import Decision, ValueChoices
from tests.crm.importing.test_import import ADMIN_EMAIL, savepoints

PEAK_GROWTH_LIMIT_BYTES = 150 * 1024 * 1024  # batches of 1,000 rows, plus a short key per row for duplicates
INDUSTRIES = ["Banking", "retail", "  technolgy ", "Healthcare", "Basket Weaving {tag}"]
COUNTRIES = ["DE", "United Kingdom", "fra", "U.S.", "Atlantis"]


def write_companies(path: Path, rows: int, tag: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Company Name;Domain;Industry;Country;Annual Revenue\n")
        for i in range(rows):
            revenue = f"{i * 1000 + 0.5:,.2f}".replace(",", " ")
            industry = INDUSTRIES[i % 5].format(tag=tag)
            handle.write(f" Company {i} {tag} ;c{i}-{tag}.com;{industry};{COUNTRIES[i % 5]};{revenue}\n")


def import_measured(db, path: Path, plan: ImportPlan) -> tuple[object, float, int]:
    """Import `path`; the seconds it took and the growth of the process's resident memory at its peak."""
    admin = auth_service.get_principal_by_email(db(Database.AUTH), ADMIN_EMAIL)
    process = psutil.Process()
    baseline = peak = process.memory_info().rss

    def sample(_progress) -> None:  # after every batch: the highest resident size seen
        nonlocal peak
        peak = max(peak, process.memory_info().rss)

    started = time.perf_counter()
    summary = run_import(get_importer("companies"), path, principal=admin, sessions=savepoints(db), plan=plan,
                         progress=sample)
    return summary, time.perf_counter() - started, peak - baseline


def test_a_100k_row_file_with_mapped_values_imports_in_bounded_memory_and_again_changes_nothing(db, tmp_path) -> None:
    rows = 100_000
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / "companies.csv"
    write_companies(path, rows, tag)
    admin = auth_service.get_principal_by_email(db(Database.AUTH), ADMIN_EMAIL)
    report = check_file(get_importer("companies"), path, principal=admin, sessions=savepoints(db))
    assert {name: [(v.value, v.rows) for v in values] for name, values in report.unknown.items()} == {
        "industry": [("technolgy", rows // 5), (f"Basket Weaving {tag}", rows // 5)],
        "country": [("Atlantis", rows // 5)],
    }
    answers = ValueChoices(unknown={"industry": "create"})
    answers.choose("country", "Atlantis", Decision(action="skip"))
    plan = ImportPlan(choices=accept_suggestions(report, answers))  # technolgy -> Software & Internet

    summary, seconds, growth = import_measured(db, path, plan)
    again, seconds_again, growth_again = import_measured(db, path, plan)

    print(f"\n{rows:,} rows ({path.stat().st_size / 1e6:.1f} MB) with mapping in {seconds:.1f} s, peak resident "
          f"memory growth {growth / 1e6:.1f} MB; again (no change) in {seconds_again:.1f} s, "
          f"{growth_again / 1e6:.1f} MB")
    assert (summary.inserted, summary.skipped, summary.warned) == (rows * 4 // 5, rows // 5, 0)
    assert summary.created == {"industry": [f"Basket Weaving {tag}"]}
    assert len(summary.errors) == 1000 and summary.errors_truncated
    assert (again.inserted, again.updated, again.unchanged, again.skipped, again.created) == (
        0, 0, rows * 4 // 5, rows // 5, {})
    assert max(growth, growth_again) < PEAK_GROWTH_LIMIT_BYTES
