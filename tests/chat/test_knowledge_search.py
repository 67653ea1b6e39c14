"""Retrieval: full text and vectors fused, filtered by audience in SQL, with a relevance threshold."""

from __future__ import annotations

from nexus360.chat.client import LocalEmbedder
from nexus360.chat.knowledge import service
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
