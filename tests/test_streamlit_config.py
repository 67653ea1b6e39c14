"""Streamlit's own settings that security depends on (.streamlit/config.toml)."""

from __future__ import annotations

import tomllib

from nexus360.config import PROJECT_ROOT
from nexus360.ui import importer

CONFIG = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())


def test_tables_offer_no_raw_download() -> None:
    # st.dataframe's toolbar "Download as CSV" writes formulas as they are; the app's export neutralises them.
    assert CONFIG["client"]["disableDataExport"] is True


def test_uploads_are_capped_at_what_the_importer_takes() -> None:
    # Streamlit's default (200 MB a file) let an anonymous visitor fill the server's memory.
    assert CONFIG["server"]["maxUploadSize"] == importer.MAX_UPLOAD_MB


def test_errors_show_no_details_and_usage_is_not_reported() -> None:
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_no_full_garbage_collection_after_every_run() -> None:
    # gc.collect(2) after each rerun held the GIL ~170 ms with 25 sessions open: 93% of the server's CPU.
    assert CONFIG["runner"]["postScriptGC"] is False
