"""The server settings an operations team relies on: XSRF on, an upload limit that fits the importers, no
development features, the supply-chain check in CI."""

from __future__ import annotations

import tomllib

from nexus360.config import PROJECT_ROOT
from nexus360.ui.importer import MAX_UPLOAD_MB

CONFIG = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())


def test_xsrf_protection_is_on() -> None:
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["server"]["enableCORS"] is True  # Streamlit turns XSRF off when CORS protection is off


def test_upload_limit_fits_the_importers() -> None:
    assert CONFIG["server"]["maxUploadSize"] == MAX_UPLOAD_MB


def test_no_development_features() -> None:
    assert CONFIG["global"]["developmentMode"] is False
    assert CONFIG["server"]["runOnSave"] is False
    assert CONFIG["server"]["fileWatcherType"] == "none"
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["client"]["toolbarMode"] in ("minimal", "viewer")


def test_ci_audits_the_pinned_requirements() -> None:
    run = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert ".ci/audit.py" in run and run.index(".ci/audit.py") < run.rindex("make test")
    requirements = (PROJECT_ROOT / "requirements.txt").read_text()
    assert "pip-audit==" in requirements and "hypothesis==" in requirements
