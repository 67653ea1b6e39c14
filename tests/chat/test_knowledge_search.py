"""Retrieval: full text and vectors fused, filtered by audience in SQL, with a relevance threshold."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from nexus360.auth.schemas import SALES_MANAGER, SALES_REP
from nexus360.chat import engine
from nexus360.chat.client import LocalEmbedder
from nexus360.chat.knowledge import repository, service
from nexus360.chat.knowledge.schemas import AUDIENCE_ROLES
from nexus360.chat.models import EVERYONE, audience_condition
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


def plan(session, audiences: tuple[str, ...]) -> str:
    """EXPLAIN of the vector search over `audiences`' indexes as a generic plan (bound values unknown, as
    a prepared statement runs after its fifth execution): the indexes must be used whatever the values."""
    sql = re.sub(r"(?<!:):(vector|model|roles|everything|limit)\b",
                 lambda name: f"${PARAMETERS.index(name.group(1)) + 1}",
                 repository.vector_search_sql(audiences).text)
    return "\n".join(row[0] for row in session.execute(text("EXPLAIN (GENERIC_PLAN) " + sql)))


PARAMETERS = ("vector", "model", "roles", "everything", "limit")


def test_every_audience_has_its_vector_index_over_the_halfvec_graph_of_chat_0011(db) -> None:
    rows = dict(db(Database.CHAT).execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'knowledge_passages'")).all())
    assert "ix_knowledge_passages_embedding_halfvec_hnsw" not in rows  # the index of all passages, dropped
    for audience, index in repository.VECTOR_INDEXES.items():
        definition = rows[index.name]
        assert "hnsw (((embedding)::halfvec(1536)) halfvec_cosine_ops) WITH (m='32', ef_construction='128')" \
            in definition
        assert definition.endswith("WHERE (audience = '{}'::character varying[])" if audience == EVERYONE
                                   else f"WHERE (audience && '{{{audience}}}'::character varying[])")
    assert set(repository.VECTOR_INDEXES) == {EVERYONE, *AUDIENCE_ROLES}


def test_a_search_reads_the_indexes_of_the_passages_its_asker_may_read(db, rep, manager, admin) -> None:
    session = db(Database.CHAT)
    session.execute(text("SET LOCAL enable_seqscan = off"))  # the demo's 83 passages would be read in full
    index = {audience: definition.name for audience, definition in repository.VECTOR_INDEXES.items()}
    assert repository.vector_audiences(rep.roles, False) == (EVERYONE, SALES_REP)
    assert repository.vector_audiences(manager.roles, False) == (EVERYONE, SALES_MANAGER)
    assert repository.vector_audiences(admin.roles, True) == (EVERYONE, *AUDIENCE_ROLES)
    assert repository.vector_audiences(["auditor"], False) == (EVERYONE,)  # no article is restricted to it
    for principal, everything in ((rep, False), (manager, False), (admin, True)):
        audiences = repository.vector_audiences(principal.roles, everything)
        found = plan(session, audiences)
        assert found.count("Index Scan using ix_knowledge_passages_hnsw_") == len(audiences), found
        assert all(f"Index Scan using {index[audience]} " in found for audience in audiences), found
    assert index[SALES_MANAGER] not in plan(session, repository.vector_audiences(rep.roles, False))


def test_an_audience_condition_is_made_only_of_a_known_role() -> None:
    assert audience_condition(SALES_REP) == "audience && '{sales_rep}'"
    for audience in ("auditor", "sales_rep'}' OR true --", ""):
        with pytest.raises(ValueError, match="no vector index"):
            audience_condition(audience)


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
