"""Reference rows the crm migrations seed: ISO 3166 countries, industries, the B2B pipeline."""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

INDUSTRIES = [
    "Software & Internet", "Financial Services", "Banking", "Insurance", "Healthcare",
    "Pharmaceuticals", "Manufacturing", "Automotive", "Retail", "Consumer Goods",
    "Telecommunications", "Energy & Utilities", "Government", "Education",
    "Professional Services", "Media & Entertainment", "Transportation & Logistics",
    "Real Estate", "Hospitality", "Agriculture", "Aerospace & Defense", "Construction",
]

# name, position, win probability (%), is_won, is_lost
DEAL_STAGES = [
    ("Prospecting", 1, 10, False, False),
    ("Qualification", 2, 20, False, False),
    ("Needs Analysis", 3, 40, False, False),
    ("Proposal", 4, 60, False, False),
    ("Negotiation", 5, 80, False, False),
    ("Closed Won", 6, 100, True, False),
    ("Closed Lost", 7, 0, False, True),
]


def countries() -> list[dict[str, str]]:
    """All ISO 3166-1 countries: iso_code_2, iso_code_3, name."""
    with (DATA_DIR / "countries.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
