"""chat: the passages' HNSW graph built denser (m 32, ef_construction 128 instead of pgvector's 16 / 64).

At 100,000 passages the graph of m 16 found about 0.6 of the exact 10 nearest passages at ef_search 100
and under 0.8 at ef_search 400; with twice the links per passage it finds 0.93-0.95 at ef_search 200 and
0.95-0.96 at 250, depending on the build (issue 16 point 8; the variants measured are in README,
"Measured (`bench assistant`)"). The index keeps its name,
its expression (`embedding::halfvec(1536)`) and its operator class, so the searches are unchanged and a
provider's embeddings are indexed the same way. Rebuilding it takes a few minutes per 100,000 passages.

Revision ID: chat_0011
Revises: chat_0010
"""

from nexus360.db import ddl

revision = "chat_0011"
down_revision = "chat_0010"
branch_labels = None
depends_on = None

NAME = "ix_knowledge_passages_embedding_halfvec_hnsw"
INDEX = (
    f"CREATE INDEX {NAME} ON knowledge_passages "
    "USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops) WITH (m = 32, ef_construction = 128)"
)


def upgrade() -> None:
    ddl.execute("SET LOCAL maintenance_work_mem = '512MB'")  # the graph built in memory, not spilled
    ddl.execute(f"DROP INDEX IF EXISTS {NAME}")
    ddl.create_indexes([INDEX])


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
