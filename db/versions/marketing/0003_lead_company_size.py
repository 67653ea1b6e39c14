"""marketing: leads.company_size (number of employees) and the company-size scoring rules.

Issue 5 asks for scoring by company size; leads carried no size, so this adds a nullable column
(unknown size scores nothing) with a non-negative check, and seeds a few `company_size` rules so
fresh installs and the demo score by size out of the box.

Revision ID: marketing_0003
Revises: marketing_0002
"""

from nexus360.db import ddl

revision = "marketing_0003"
down_revision = "marketing_0002"
branch_labels = None
depends_on = None

COLUMNS = """
ALTER TABLE leads ADD COLUMN IF NOT EXISTS company_size INTEGER;
"""

# Postgres has no ADD CONSTRAINT IF NOT EXISTS, so look the name up first.
CHECK = """
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
        WHERE conname = 'ck_leads_company_size_non_negative'
          AND conrelid = to_regclass(current_schema() || '.leads')
    ) THEN
        ALTER TABLE leads ADD CONSTRAINT ck_leads_company_size_non_negative
            CHECK (company_size IS NULL OR company_size >= 0);
    END IF;
END $$;
"""

# (kind, value, points): the value is a band of employees, as nexus360.marketing.scoring parses it.
DEFAULT_RULES = [
    ("company_size", "50-199", 5),
    ("company_size", "200-999", 10),
    ("company_size", "1000+", 15),
]


def upgrade() -> None:
    ddl.execute(COLUMNS)
    ddl.execute(CHECK)
    ddl.insert_scoring_rules(DEFAULT_RULES)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
