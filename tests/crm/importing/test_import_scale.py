"""A large file imports in bounded memory: rows are read, validated and written one batch at a time."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import psutil

from nexus360.auth import service as auth_service
from nexus360.db import Database
from nexus360.importing.core import run_import
from nexus360.importing.registry import get_importer
from tests.crm.importing.test_import import ADMIN_EMAIL, savepoints

PEAK_GROWTH_LIMIT_BYTES = 150 * 1024 * 1024  # batches of 1,000 rows, plus a short key per row for duplicates
INDUSTRIES = ["Banking", "retail", "  Software & Internet ", "Healthcare", "Unknown Sector"]
COUNTRIES = ["DE", "United Kingdom", "fra", "us", "Atlantis"]


def write_companies(path: Path, rows: int, tag: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Company Name;Domain;Industry;Country;Annual Revenue\n")
        for i in range(rows):
            revenue = f"{i * 1000 + 0.5:,.2f}".replace(",", " ")
            handle.write(f" Company {i} {tag} ;c{i}-{tag}.com;{INDUSTRIES[i % 5]};{COUNTRIES[i % 5]};{revenue}\n")


def import_measured(db, path: Path) -> tuple[object, float, int]:
    """Import `path`; the seconds it took and the growth of the process's resident memory at its peak."""
    admin = auth_service.get_principal_by_email(db(Database.AUTH), ADMIN_EMAIL)
    process = psutil.Process()
    baseline = peak = process.memory_info().rss

    def sample(_progress) -> None:  # after every batch: the highest resident size seen
        nonlocal peak
        peak = max(peak, process.memory_info().rss)

    started = time.perf_counter()
    summary = run_import(get_importer("companies"), path, principal=admin, sessions=savepoints(db), progress=sample)
    return summary, time.perf_counter() - started, peak - baseline


def test_a_100k_row_file_imports_in_bounded_memory(db, tmp_path: Path) -> None:
    rows = 100_000
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / "companies.csv"
    write_companies(path, rows, tag)

    summary, seconds, growth = import_measured(db, path)

    print(f"\n{rows:,} rows ({path.stat().st_size / 1e6:.1f} MB) in {seconds:.1f} s; "
          f"peak resident memory growth {growth / 1e6:.1f} MB")
    assert (summary.inserted, summary.skipped) == (rows * 4 // 5, rows // 5)
    assert len(summary.errors) == 1000 and summary.errors_truncated
    assert growth < PEAK_GROWTH_LIMIT_BYTES
