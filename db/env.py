"""Alembic environment shared by the eight migration histories.

`nexus360.db.migrate` passes the database name and an open connection in `config.attributes`;
migrations are hand-written, idempotent SQL (see nexus360/db/ddl.py), so there is no autogenerate
target here.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
