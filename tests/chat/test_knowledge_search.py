"""Retrieval: full text and vectors fused, filtered by audience in SQL, with a relevance threshold."""

from __future__ import annotations

from sqlalchemy import text

from nexus360.chat import engine
from nexus360.chat.client import LocalEmbedder
from nexus360.chat.knowledge import repository, service
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


def test_the_vector_search_goes_through_the_halfvec_index_and_keeps_the_audience(db, rep, manager) -> None:
    session = db(Database.CHAT)
    session.execute(text("SET LOCAL enable_seqscan = off"))  # the demo's 83 passages would be read in full
    vector = engine.vector_literal(EMBEDDER.embed(["How do I start a performance improvement plan?"])[0])
    params = {"vector": vector, "model": EMBEDDER.model_name, "roles": list(rep.roles), "everything": False,
              "limit": 10}
    plan = "\n".join(row[0] for row in session.execute(text("EXPLAIN " + repository.VECTOR_SEARCH.text), params))
    assert f"Index Scan using {repository.VECTOR_INDEX}" in plan
    definition = session.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                                {"name": repository.VECTOR_INDEX})
    assert "WITH (m='32', ef_construction='128')" in definition  # the graph of chat_0011 (README)
    repository.configure_vector_search(session, ef_search=service.EF_SEARCH)
    found = repository.vector_search(session, **params)
    exact = repository.vector_search(session, **params, exact=True)
    assert found and {passage_id for passage_id, _ in found} == {passage_id for passage_id, _ in exact}
    readable = repository.get_passages(session, [passage_id for passage_id, _ in found], roles=list(rep.roles),
                                       everything=False)
    assert set(readable) == {passage_id for passage_id, _ in found}  # none of them is manager-only
    managers = repository.vector_search(session, **params | {"roles": list(manager.roles)})
    assert {passage_id for passage_id, _ in managers} - {passage_id for passage_id, _ in found}
