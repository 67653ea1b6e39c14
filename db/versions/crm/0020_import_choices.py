"""crm: import_choices, the answers a person gave when importing a file with a given set of columns
(column mapping, number and date formats, what each unknown value of a reference column becomes), offered
again for the next file with the same columns. Own rows only, under row-level security.

Revision ID: crm_0020
Revises: crm_0007
"""

from nexus360.db import ddl, rls
from nexus360.importing.memory import DDL, OWN_ROWS

revision = "crm_0020"
down_revision = "crm_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rls.install_functions()
    ddl.execute(DDL)
    rls.enable("import_choices")
    rls.policy("import_choices", "import_choices_own", "ALL", using=OWN_ROWS, check=OWN_ROWS)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
