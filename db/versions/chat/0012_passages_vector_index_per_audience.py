"""chat: one HNSW index of the passages' vectors per audience instead of one for all of them.

A search as a rep walked one graph of every passage and the audience filter then threw away the
neighbours it may not read: at 100,000 passages, half of them manager-only, ef_search 250 yielded
~125 visible candidates, and recall@10 0.95 cost ~27 ms of server CPU per search. Now there is one
partial index of the passages for everyone (`audience = '{}'`) and one per role of the passages
restricted to it (`audience && '{<role>}'`, which the searches then repeated
literally); a search reads, unfiltered, the indexes its asker may read (issue 16 point 8; figures in
README, "Measured (`bench assistant`)"). Same expression (`embedding::halfvec(1536)`), operator class and
graph (m 32, ef_construction 128) as chat_0011's index, which is dropped once they exist. Building them
takes about as long as building that one (a few minutes per 100,000 passages).

chat_0013 replaced these indexes by one per reader (the passages a role may read, and all of them).

Revision ID: chat_0012
Revises: chat_0011
"""

from nexus360.db import ddl

revision = "chat_0012"
down_revision = "chat_0011"
branch_labels = None
depends_on = None

# The indexes as this migration built them (frozen: chat_0013 replaced them).
_GRAPH = "USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops) WITH (m = 32, ef_construction = 128)"
INDEXES = (
    f"CREATE INDEX ix_knowledge_passages_hnsw_everyone ON knowledge_passages {_GRAPH} WHERE audience = '{{}}'",
    *(f"CREATE INDEX ix_knowledge_passages_hnsw_{role} ON knowledge_passages {_GRAPH} WHERE audience && '{{{role}}}'"
      for role in ("admin", "sales_manager", "sales_rep", "marketer")),
)


def upgrade() -> None:
    ddl.execute("SET LOCAL maintenance_work_mem = '512MB'")  # each graph built in memory, not spilled
    ddl.create_indexes(INDEXES)
    ddl.execute("DROP INDEX IF EXISTS ix_knowledge_passages_embedding_halfvec_hnsw")


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
