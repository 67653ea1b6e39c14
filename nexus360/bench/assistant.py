"""`python -m nexus360 bench assistant`: the assistant's retrieval quality and speed, as JSON.

Quality, on the golden set (`demo/knowledge/golden-set.json`: questions over the demo articles with
the passage that answers each): recall@5 and nDCG@10 for full text alone, vectors alone and the fusions,
and how many off-topic questions get no passage at all (the relevance threshold).
Speed, at `passages` synthetic passages added for the run (and removed after it; every other article
manager-only): p50/p95 of the vector search and of the whole hybrid search as a rep (who reads the
index of the passages a rep may read: the 50,000 for everyone), recall@10 of the HNSW indexes against exact search
(strict: the exact top 10's ids; tie-aware: ann-benchmarks' definition), the same for other ef_search
values (EF_SWEEP), the vector search as a manager (whose index holds all 100,000), and the time to the
first streamed words of an offline answer. Only the rep's and the manager's vector indexes are built at
that scale (the others hold the same passages as one of them); every index is built again, on the demo's
passages, once the synthetic ones are removed.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from nexus360.auth import service as auth_service
from nexus360.chat import client, engine
from nexus360.chat.answers import flows
from nexus360.chat.conversations import service as conversations
from nexus360.chat.knowledge import repository, service
from nexus360.config import Settings
from nexus360.db import Database, session_scope

GOLDEN = Path(__file__).resolve().parent.parent / "demo" / "knowledge" / "golden-set.json"
METHODS = ("text", "vector", "rrf", "max")
BENCH_SOURCE = "bench"  # source_type of the synthetic articles (removed after the run)
EMBEDDER = client.LocalEmbedder()


def run_bench(*, passages: int, runs: int, progress: Callable[[str], None]) -> dict:
    golden = json.loads(GOLDEN.read_text())
    with session_scope(Database.AUTH) as session:
        admin = auth_service.get_principal_by_username(session, "admin")
        rep = auth_service.get_principal_by_username(session, "rep")
        manager = auth_service.get_principal_by_username(session, "manager")
    result = {"golden_questions": len(golden["questions"]), "quality": quality(admin, golden)}
    progress(f"quality: {json.dumps(result['quality'])}")
    result["first_words_ms"] = first_words(rep, [q["question"] for q in golden["questions"]][:20])
    if passages:
        try:
            progress(f"adding {passages:,} synthetic passages…")
            _add_synthetic(passages, progress,
                           readers=sorted({*repository.vector_readers(rep.roles, False),
                                           *repository.vector_readers(manager.roles, False)}))
            result["scale"] = {"passages": passages, **speed(rep, golden, runs),
                               "vector_search_as_manager": as_manager(manager, golden)}
        finally:
            _remove_synthetic()
    return result


def _relevant(session, item: dict) -> set[int]:
    rows = session.execute(text("SELECT id FROM knowledge_passages WHERE title = :title AND content ILIKE :phrase"),
                           {"title": item["article"], "phrase": f"%{item['passage_contains']}%"})
    return {row.id for row in rows}


def quality(principal, golden: dict) -> dict:
    scores: dict[str, dict[str, list[float]]] = {method: {"recall@5": [], "ndcg@10": []} for method in METHODS}
    off_topic: dict[str, int] = dict.fromkeys(METHODS, 0)
    with session_scope(Database.CHAT, actor=principal) as session:
        for item in golden["questions"]:
            relevant = _relevant(session, item)
            if not relevant:
                raise ValueError(f"golden set: no passage of '{item['article']}' contains the phrase given")
            for method in METHODS:
                found = [hit.id for hit in service.search(session, principal, query=item["question"],
                                                          embedder=EMBEDDER, limit=10, method=method)]
                scores[method]["recall@5"].append(len(relevant & set(found[:5])) / len(relevant))
                scores[method]["ndcg@10"].append(_ndcg(found, relevant))
        for question in golden["off_topic"]:
            for method in METHODS:
                off_topic[method] += not service.search(session, principal, query=question, embedder=EMBEDDER,
                                                        method=method)
    return {method: {name: round(statistics.mean(values), 3) for name, values in scores[method].items()}
            | {"off_topic_without_passages": f"{off_topic[method]}/{len(golden['off_topic'])}"} for method in METHODS}


def _ndcg(found: list[int], relevant: set[int]) -> float:
    dcg = sum(1 / math.log2(rank + 2) for rank, passage_id in enumerate(found[:10]) if passage_id in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(10, len(relevant))))
    return dcg / ideal if ideal else 0.0


def first_words(principal, questions: list[str]) -> dict:
    samples = []
    settings = Settings(ai_provider="offline")
    for question in questions:
        started = time.perf_counter()
        stream = flows.ask(principal, question=question, settings=settings)
        iterator = iter(stream)
        next(iterator)
        samples.append((time.perf_counter() - started) * 1000)
        for _chunk in iterator:
            pass
        with session_scope(Database.CHAT, actor=principal) as session:
            conversations.delete_conversation(session, principal, conversation_id=stream.conversation_id)
    return _percentiles(samples)


EF_SWEEP = (40, 100, 200, 400)  # ef_search values also timed on the golden questions: speed against recall


def speed(principal, golden: dict, runs: int) -> dict:
    questions = [item["question"] for item in golden["questions"]]
    roles = list(principal.roles)
    vector_ms, hybrid_ms = [], []
    with session_scope(Database.CHAT, actor=principal) as session:
        vectors, exact = _exact(session, questions, roles)
        for index in range(runs):
            question = questions[index % len(questions)]
            vector_ms.append(_vector_search(session, vectors[question], roles, service.EF_SEARCH)[0])
            started = time.perf_counter()
            service.search(session, principal, query=question, embedder=EMBEDDER, limit=10)
            hybrid_ms.append((time.perf_counter() - started) * 1000)
        recalls = {ef: _recalls(session, vectors, exact, roles, ef) for ef in sorted({*EF_SWEEP, service.EF_SEARCH})}
    chosen = recalls[service.EF_SEARCH]
    return {"vector_search_ms": _percentiles(vector_ms), "hybrid_search_ms": _percentiles(hybrid_ms),
            "vector_recall@10_vs_exact": chosen["recall@10_vs_exact"],
            "vector_recall@10_vs_exact_tie_aware": chosen["recall@10_vs_exact_tie_aware"],
            "ef_search": service.EF_SEARCH, "ef_search_sweep": recalls}


def as_manager(principal, golden: dict) -> dict:
    """The vector search of a reader of every passage (a manager's index), at the ef_search used: time
    and recall over the golden questions, once to warm up and once timed."""
    roles = list(principal.roles)
    with session_scope(Database.CHAT, actor=principal) as session:
        vectors, exact = _exact(session, [item["question"] for item in golden["questions"]], roles)
        _recalls(session, vectors, exact, roles, service.EF_SEARCH)
        return _recalls(session, vectors, exact, roles, service.EF_SEARCH)


def _exact(session, questions: list[str], roles: list[str]) -> tuple[dict[str, str], dict[str, list]]:
    """The questions' vectors and their exact 10 nearest passages among those `roles` may read."""
    vectors = {question: engine.vector_literal(EMBEDDER.embed([question])[0]) for question in questions}
    return vectors, {question: repository.vector_search(session, vector=vectors[question], model=EMBEDDER.model_name,
                                                        roles=roles, everything=False, limit=10, exact=True)
                     for question in questions}


def _vector_search(session, vector: str, roles: list[str], ef_search: int) -> tuple[float, list[int]]:
    """(milliseconds, ids) of one vector search as the bench's principal, top 10."""
    repository.configure_vector_search(session, ef_search=ef_search)
    started = time.perf_counter()
    found = repository.vector_search(session, vector=vector, model=EMBEDDER.model_name, roles=roles,
                                     everything=False, limit=10)
    return (time.perf_counter() - started) * 1000, [passage_id for passage_id, _ in found]


def _recalls(session, vectors: dict[str, str], exact: dict[str, list], roles: list[str], ef_search: int) -> dict:
    """Time and recall@10 against exact search, strict and tie-aware, over the golden questions once."""
    timings, strict, tie_aware = [], [], []
    for question, vector in vectors.items():
        milliseconds, found = _vector_search(session, vector, roles, ef_search)
        timings.append(milliseconds)
        strict.append(len(set(found) & {i for i, _ in exact[question]}) / max(1, len(exact[question])))
        tie_aware.append(_tie_aware_recall(session, vector, found, exact[question]))
    return {"ms": _percentiles(timings), "recall@10_vs_exact": round(statistics.mean(strict), 3),
            "recall@10_vs_exact_tie_aware": round(statistics.mean(tie_aware), 3)}


def _tie_aware_recall(session, vector: str, found: list[int], exact: list[tuple[int, float]]) -> float:
    """ann-benchmarks' k-NN recall: a passage found counts when its exact cosine distance is within 1e-3
    of the k-th exact neighbour's (a passage tied with the k-th one is as near); the strict recall counts
    only the exact top k's own ids."""
    if not exact:
        return 1.0
    kth_distance = 1 - exact[-1][1]
    near = session.scalar(text("SELECT count(*) FROM knowledge_passages WHERE id = ANY(CAST(:ids AS bigint[])) "
                               "AND embedding <=> CAST(:vector AS vector) <= :distance"),
                          {"ids": found, "vector": vector, "distance": kth_distance + 1e-3})
    return near / len(exact)


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1), "runs": len(ordered)}


# Synthetic passages read like a real knowledge base, not like the demo's 83 passages shuffled: a
# vocabulary of VOCABULARY invented words drawn with Zipf's law (a few common, most rare), articles
# with their own topic words, and a demo sentence, reworded, in one passage out of four (so its words stay
# as common as a domain's words are: a few per cent of the passages, not half of them). Made only of
# shuffled demo sentences, 100,000 passages share a few hundred sentences: half of them held any
# common word of a question (the full-text half ranked ~20,000 passages) and thousands were near
# copies of one another (the HNSW graph lost neighbours among ties).
VOCABULARY = 30_000
_ONSETS = ("b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "cr",
           "dr", "fl", "gr", "pl", "pr", "sc", "sh", "st", "tr", "th")
_NUCLEI = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "nd", "rk", "st", "x")
_FUNCTION_WORDS = ("the", "a", "of", "to", "and", "in", "for", "with", "on", "by", "is", "are", "be", "when",
                   "each", "every", "after", "before", "from", "its", "their", "this", "that", "must", "can")


class _Writer:
    """Deterministic synthetic text: titles, headings and passages."""

    def __init__(self, rng: random.Random, demo_sentences: list[str]) -> None:
        self.rng = rng
        self.demo = demo_sentences
        words: set[str] = set()
        while len(words) < VOCABULARY:
            words.add("".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) for _ in range(rng.randint(1, 3)))
                      + rng.choice(_CODAS))
        self.words = sorted(words)
        rng.shuffle(self.words)
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(VOCABULARY)))

    def topic(self) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=12)

    def sentence(self, topic: list[str]) -> str:
        tokens = []
        for _ in range(self.rng.randint(7, 15)):
            draw = self.rng.random()
            tokens.append(self.rng.choice(_FUNCTION_WORDS) if draw < 0.3 else self.rng.choice(topic) if draw < 0.5
                          else self.rng.choices(self.words, cum_weights=self.cumulative)[0])
        return " ".join(tokens).capitalize()

    def passage(self, topic: list[str]) -> str:
        sentences = [self.sentence(topic) for _ in range(self.rng.randint(2, 5))]
        if self.rng.random() < 0.25:
            sentences[self.rng.randrange(len(sentences))] = self.echo(topic)
        return ". ".join(sentences) + "."

    def echo(self, topic: list[str]) -> str:
        """A demo sentence as another writer would put it: most of its words, in order, among others.
        (Copied verbatim, each demo sentence was in ~100 passages: clusters of near ties that no real
        corpus has, and that no approximate index can order.)"""
        words = [word for word in self.rng.choice(self.demo).rstrip(".").split() if self.rng.random() < 0.6]
        for _ in range(self.rng.randint(2, 5)):
            words.insert(self.rng.randint(0, len(words)), self.rng.choice(topic) if self.rng.random() < 0.5
                         else self.rng.choices(self.words, cum_weights=self.cumulative)[0])
        return " ".join(words).capitalize()


def _add_synthetic(count: int, progress: Callable[[str], None], *, readers: list[str]) -> None:
    """`count` synthetic passages (see _Writer) in articles of 10, embedded locally, loaded by COPY; every
    other article is manager-only (so the rep's searches also exercise the audience filter). Only the
    vector indexes of `readers` are built over them."""
    rng = random.Random(360)
    with session_scope(Database.CHAT, admin=True) as session:
        sentences = [s for (content,) in session.execute(text("SELECT content FROM knowledge_passages"))
                     for s in content.replace("\n", " ").split(". ") if len(s) > 30]
        writer = _Writer(rng, sentences)
        per_article = 10
        articles = max(1, count // per_article)
        topics = [writer.topic() for _ in range(articles)]
        titles = [" ".join(topic[:3]).capitalize() for topic in topics]
        article_ids = list(session.scalars(text(
            "INSERT INTO knowledge_base (title, content, source_type, audience) "
            "SELECT title, 'synthetic', :source, "
            "CASE WHEN n % 2 = 0 THEN '{}'::varchar[] ELSE '{sales_manager}'::varchar[] END "
            "FROM unnest(CAST(:titles AS varchar[])) WITH ORDINALITY AS t(title, n) ORDER BY n RETURNING id"),
            {"source": BENCH_SOURCE, "titles": titles}))
        session.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        session.execute(text("SET LOCAL statement_timeout = 0"))  # COPY and the index build take minutes
        _drop_vector_indexes(session)  # built again once the passages are in
        raw = session.connection().connection.driver_connection
        with raw.cursor().copy("COPY knowledge_passages (article_id, position, title, heading, content, audience, "
                               "embedding, embedding_model) FROM STDIN") as copy:
            for index in range(count):
                slot = index // per_article % articles
                topic = topics[slot]
                heading = " ".join(rng.sample(topic, 2)).capitalize()
                content = writer.passage(topic)
                audience = "{}" if slot % 2 == 1 else "{sales_manager}"
                vector = engine.vector_literal(engine.embed_local(f"{titles[slot]}\n{heading}\n{content}"))
                copy.write_row((article_ids[slot], index % per_article, titles[slot], heading, content, audience,
                                vector, EMBEDDER.model_name))
                if index and index % 20_000 == 0:
                    progress(f"  {index:,} passages written")
        progress(f"building the HNSW indexes of {', '.join(readers)}…")
        for statement in repository.vector_index_ddl(readers):
            session.execute(text(statement))
        session.execute(text("SELECT gin_clean_pending_list('ix_knowledge_passages_search')"))
        session.execute(text("ANALYZE knowledge_passages"))


def _drop_vector_indexes(session) -> None:
    for index in repository.VECTOR_INDEXES.values():
        session.execute(text(f"DROP INDEX IF EXISTS {index.name}"))


def _remove_synthetic() -> None:
    """The synthetic passages deleted, then every vector index built again over the demo's (seconds, once
    the deletion is committed: an index built in the deleting transaction would still hold its rows)."""
    with session_scope(Database.CHAT, admin=True) as session:
        session.execute(text("SET LOCAL statement_timeout = 0"))
        _drop_vector_indexes(session)
        session.execute(text("DELETE FROM knowledge_base WHERE source_type = :source"), {"source": BENCH_SOURCE})
    with session_scope(Database.CHAT, admin=True) as session:
        session.execute(text("SET LOCAL statement_timeout = 0"))
        for statement in repository.vector_index_ddl():
            session.execute(text(statement))
