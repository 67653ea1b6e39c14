"""`demo seed --scale large`: about 1,000,000 deals, 200,000 companies and 500,000 contacts (`scale_crm`),
then 50 campaigns and about 1,000,000 leads, 5% of them converted into these deals (`scale_marketing`).

Loaded on top of the regular demo data (its users own the deals), deterministically, in minutes:
rows stream from generators into PostgreSQL's COPY protocol (never a list of a million rows in
memory), and the tables are analysed afterwards so the planner knows their new size.
"""

from __future__ import annotations

from collections.abc import Callable

from nexus360.demo import scale_crm, scale_marketing, seed


def seed_large(*, sizes: dict[str, int] | None = None, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Add the large data set, CRM then marketing (each once: a second call finds it and skips it)."""
    say = progress or (lambda _message: None)
    if not seed.is_seeded():
        seed.seed_demo_data(progress=say)
    crm_sizes = {key: value for key, value in (sizes or {}).items() if key in scale_crm.LARGE}
    counts = scale_crm.seed_large_crm(sizes=crm_sizes, progress=say)
    marketing_sizes = {key: value for key, value in (sizes or {}).items() if key in scale_marketing.LARGE_MARKETING}
    return counts | scale_marketing.seed_large_marketing(sizes=marketing_sizes, progress=say)
