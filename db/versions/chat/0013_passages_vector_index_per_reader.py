"""chat: one HNSW index of the passages' vectors per reader instead of one per audience.

chat_0012 indexed the passages for everyone in one graph and those restricted to each role in another,
so a manager's search walked two graphs and merged them: at 100,000 passages, half of them manager-only,
p95 22.9 ms against 13.0 ms for a rep, who walked one (issue 16 point 8: ≤ 15 ms). One graph of both
halves costs about what one half's does (a search's work grows with the logarithm of the graph's size):
12.8-13.8 ms p95 at the same ef_search and recall (README, "Measured (`bench assistant`)"). Now each role
but the administrator's has one index of every passage it may read (`audience = '{}' OR audience &&
'{<role>}'`, models.reader_condition, which the searches repeat literally), and one index holds every
passage, for the administrators, who read them all. A passage for everyone is in each of them (four
graphs of the demo's passages instead of about one): the price is index size and write time.

Same expression (`embedding::halfvec(1536)`), operator class and links (m 32) as chat_0012's indexes, which
are dropped once these exist; the graphs are built with ef_construction 200 instead of 128: on one corpus of
100,000 passages, one graph of all of them finds 0.963 of the exact 10 nearest at ef_search 150 instead of
0.950, in the same search time; build time grows with ef_construction (324 s there, two cores).

A role added to the catalogue later needs its index (a migration running `vector_index_ddl([role])`);
tests/chat/test_knowledge_search.py checks that every role has one.

Revision ID: chat_0013
Revises: chat_0012
"""

from nexus360.db import ddl

revision = "chat_0013"
down_revision = "chat_0012"
branch_labels = None
depends_on = None

# The indexes as this migration builds them (models.VECTOR_INDEXES at this revision).
_GRAPH = "USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops) WITH (m = 32, ef_construction = 200)"
INDEXES = (
    *(f"CREATE INDEX ix_knowledge_passages_hnsw_read_by_{role} ON knowledge_passages {_GRAPH} "
      f"WHERE (audience = '{{}}' OR audience && '{{{role}}}')" for role in ("sales_manager", "sales_rep", "marketer")),
    f"CREATE INDEX ix_knowledge_passages_hnsw_read_by_all ON knowledge_passages {_GRAPH}",
)
REPLACED = ("everyone", "admin", "sales_manager", "sales_rep", "marketer")  # chat_0012's


def upgrade() -> None:
    ddl.execute("SET LOCAL maintenance_work_mem = '512MB'")  # each graph built in memory, not spilled
    ddl.create_indexes(INDEXES)
    for audience in REPLACED:
        ddl.execute(f"DROP INDEX IF EXISTS ix_knowledge_passages_hnsw_{audience}")


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
