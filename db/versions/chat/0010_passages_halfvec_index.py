"""chat: the passages' vector index over their half-precision copy (`embedding::halfvec(1536)`,
halfvec_cosine_ops) replaces the one over the full vectors: half the size, so the graph stays in
memory at 100,000 passages (issue 16 point 8; figures in README, "Measured (`bench assistant`)").
The searches query the same expression (nexus360/chat/knowledge/repository.py); the column keeps the
full vectors, which the exact search reads. The contract's index on knowledge_base is untouched.

Revision ID: chat_0010
Revises: chat_0004
"""

from nexus360.db import ddl

revision = "chat_0010"
down_revision = "chat_0004"
branch_labels = None
depends_on = None

INDEX = (
    "CREATE INDEX ix_knowledge_passages_embedding_halfvec_hnsw ON knowledge_passages "
    "USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64)"
)


def upgrade() -> None:
    ddl.execute("SET LOCAL maintenance_work_mem = '512MB'")  # the graph built in memory, not spilled
    ddl.create_indexes([INDEX])
    ddl.execute("DROP INDEX IF EXISTS ix_knowledge_passages_embedding_hnsw")


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
