"""Retrieval: full text and vectors fused, filtered by audience in SQL, with a relevance threshold."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from nexus360.auth.schemas import ADMIN, MARKETER, SALES_MANAGER, SALES_REP
from nexus360.chat import engine
from nexus360.chat.client import LocalEmbedder
from nexus360.chat.knowledge import repository, service
from nexus360.chat.knowledge.schemas import AUDIENCE_ROLES
from nexus360.chat.models import ALL_PASSAGES, reader_condition
from nexus360.db import Database

EMBEDDER = LocalEmbedder()


def titles(hits) -> list[str]:
    return [hit.title for hit in hits]


def test_a_policy_question_finds_its_article_first(db, rep) -> None:
    hits = service.search(db(Database.CHAT), rep, query="Who approves a 25% discount?", embedder=EMBEDDER)
    assert hits and hits[0].title == "Discount approval policy"
    assert "VP of Sales" in hits[0].content


def test_a_rep_never_gets_a_manager_only_passage(db, rep, manager) -> None:
    question = "How do I start a performance improvement plan for a seller below quota?"
    for method in ("rrf", "text", "vector"):
        found = titles(service.search(db(Database.CHAT), rep, query=question, embedder=EMBEDDER, method=method))
        assert not any("for sales managers" in title for title in found), method
    managers = titles(service.search(db(Database.CHAT), manager, query=question, embedder=EMBEDDER))
    assert managers[0] == "Performance improvement plans (for sales managers)"


def test_an_off_topic_question_finds_nothing_and_does_not_fail(db, rep) -> None:
    assert service.search(db(Database.CHAT), rep, query="Best lasagna recipe with spinach?", embedder=EMBEDDER) == []
    assert service.search(db(Database.CHAT), rep, query="'); DROP TABLE x; -- \\ ' | & !", embedder=EMBEDDER) == []
    assert service.search(db(Database.CHAT), rep, query="   ", embedder=EMBEDDER) == []


def plan(session, readers: tuple[str, ...]) -> str:
    """EXPLAIN of the vector search over `readers`' indexes as a generic plan (bound values unknown, as
    a prepared statement runs after its fifth execution): the indexes must be used whatever the values."""
    sql = re.sub(r"(?<!:):(vector|model|roles|everything|limit)\b",
                 lambda name: f"${PARAMETERS.index(name.group(1)) + 1}",
                 repository.vector_search_sql(readers).text)
    return "\n".join(row[0] for row in session.execute(text("EXPLAIN (GENERIC_PLAN) " + sql)))


PARAMETERS = ("vector", "model", "roles", "everything", "limit")


def test_every_reader_has_its_vector_index_over_the_halfvec_graph_of_chat_0013(db) -> None:
    rows = dict(db(Database.CHAT).execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'knowledge_passages'")).all())
    assert "ix_knowledge_passages_embedding_halfvec_hnsw" not in rows  # chat_0011's, dropped by chat_0012
    assert not any(name.startswith("ix_knowledge_passages_hnsw_") and name not in
                   {index.name for index in repository.VECTOR_INDEXES.values()} for name in rows)  # chat_0012's
    for reader, index in repository.VECTOR_INDEXES.items():
        definition = rows[index.name]
        assert "hnsw (((embedding)::halfvec(1536)) halfvec_cosine_ops) WITH (m='32', ef_construction='200')" \
            in definition
        if reader == ALL_PASSAGES:
            assert " WHERE " not in definition
        else:
            assert definition.endswith(f"WHERE ((audience = '{{}}'::character varying[]) "
                                       f"OR (audience && '{{{reader}}}'::character varying[]))")
    # every role of the catalogue reads one index: its own, or (an administrator) all passages'
    assert set(repository.VECTOR_INDEXES) == {*AUDIENCE_ROLES, ALL_PASSAGES} - {ADMIN}


def test_a_search_walks_the_one_index_of_the_passages_its_asker_may_read(db, rep, manager, admin) -> None:
    session = db(Database.CHAT)
    session.execute(text("SET LOCAL enable_seqscan = off"))  # the demo's 83 passages would be read in full
    index = {reader: definition.name for reader, definition in repository.VECTOR_INDEXES.items()}
    assert repository.vector_readers(rep.roles, False) == (SALES_REP,)
    assert repository.vector_readers(manager.roles, False) == (SALES_MANAGER,)
    assert repository.vector_readers(admin.roles, True) == (ALL_PASSAGES,)
    assert repository.vector_readers([SALES_MANAGER, MARKETER], False) == (SALES_MANAGER, MARKETER)
    assert repository.vector_readers(["auditor"], False) == (ALL_PASSAGES,)  # filtered by audience there
    for readers in ((SALES_REP,), (SALES_MANAGER,), (ALL_PASSAGES,), (SALES_MANAGER, MARKETER)):
        found = plan(session, readers)
        assert found.count("Index Scan using ix_knowledge_passages_hnsw_") == len(readers), found
        assert all(f"Index Scan using {index[reader]} " in found for reader in readers), found


def test_a_reader_condition_is_made_only_of_a_known_role() -> None:
    assert reader_condition(SALES_REP) == "(audience = '{}' OR audience && '{sales_rep}')"
    assert reader_condition(ALL_PASSAGES) is None
    for reader in ("auditor", ADMIN, "sales_rep'}' OR true --", ""):
        with pytest.raises(ValueError, match="no vector index"):
            reader_condition(reader)


def test_the_vector_search_finds_the_exact_nearest_and_keeps_the_audience(db, rep, manager) -> None:
    session = db(Database.CHAT)
    vector = engine.vector_literal(EMBEDDER.embed(["How do I start a performance improvement plan?"])[0])
    params = {"vector": vector, "model": EMBEDDER.model_name, "roles": list(rep.roles), "everything": False,
              "limit": 10}
    repository.configure_vector_search(session, ef_search=service.EF_SEARCH)
    found = repository.vector_search(session, **params)
    exact = repository.vector_search(session, **params, exact=True)
    assert found and {passage_id for passage_id, _ in found} == {passage_id for passage_id, _ in exact}
    readable = repository.get_passages(session, [passage_id for passage_id, _ in found], roles=list(rep.roles),
                                       everything=False)
    assert set(readable) == {passage_id for passage_id, _ in found}  # none of them is manager-only
    managers = repository.vector_search(session, **params | {"roles": list(manager.roles)})
    assert {passage_id for passage_id, _ in managers} - {passage_id for passage_id, _ in found}
    # an asker with no role of the catalogue walks the index of all passages through the audience filter
    others = repository.vector_search(session, **params | {"roles": ["auditor"]})
    assert others == found  # the same passages (those for everyone), by the same halfvec distances


def test_a_passage_for_two_roles_is_found_once_by_an_asker_with_both(db, manager) -> None:
    session = db(Database.CHAT)
    session.execute(text("UPDATE knowledge_passages SET audience = CAST(:both AS varchar[]) "
                         "WHERE audience = CAST(:managers AS varchar[])"),
                    {"both": [SALES_MANAGER, SALES_REP], "managers": [SALES_MANAGER]})
    vector = engine.vector_literal(EMBEDDER.embed(["How do I start a performance improvement plan?"])[0])
    repository.configure_vector_search(session, ef_search=service.EF_SEARCH)
    found = repository.vector_search(session, vector=vector, model=EMBEDDER.model_name,
                                     roles=[SALES_MANAGER, SALES_REP], everything=False, limit=50)
    exact = repository.vector_search(session, vector=vector, model=EMBEDDER.model_name,
                                     roles=[SALES_MANAGER, SALES_REP], everything=False, limit=50, exact=True)
    assert len(found) == len({passage_id for passage_id, _ in found}) == 50
    assert {passage_id for passage_id, _ in found} == {passage_id for passage_id, _ in exact}
