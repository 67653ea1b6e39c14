"""Knowledge-base rules: managers (`knowledge.manage`) add, edit, replace and delete articles; everyone
with the assistant searches the passages their roles may read.

An article's audience is a list of roles (empty: everyone); administrators read every article. A
passage carries its article's audience, so the search filters in SQL, on one table.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from nexus360.auth.schemas import ADMIN, Principal
from nexus360.auth.service import require, require_any
from nexus360.auth.users import service as people
from nexus360.chat import engine
from nexus360.chat.client import Embedder
from nexus360.chat.knowledge import repository
from nexus360.chat.knowledge.engine import read_document
from nexus360.chat.knowledge.schemas import (
    ArticleCreate,
    ArticleDetail,
    ArticleRead,
    ArticleUpdate,
    IndexStatus,
    PassageRead,
    ReembedResult,
    SearchHit,
)
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.validation import parse
from nexus360.notifications import service as notifications

MANAGE = "knowledge.manage"
CANDIDATES = 40  # rows each search hands to the fusion
# Per index searched (one per reader, chat_0013): at 100,000 passages, half of them manager-only, a rep's
# search (a graph of the 50,000 passages for everyone) finds 0.975 of the exact 10 nearest in 14.6 ms p95, a
# manager's (a graph of all 100,000) 0.960 in 12.9 ms (README, "Measured", run 15).
EF_SEARCH = 150
# The relevance threshold: a passage is kept when its full-text rank or its cosine similarity reaches
# these (set on the golden set and off-topic questions by `bench assistant`; see README).
MIN_TEXT_RANK = {"local": 0.06, "provider": 0.06}
MIN_SIMILARITY = {"local": 0.22, "provider": 0.30}


def _sees_everything(principal: Principal) -> bool:
    return ADMIN in principal.roles


def search(session: Session, principal: Principal, *, query: str, embedder: Embedder, limit: int = 10,
           method: str = "rrf") -> list[SearchHit]:
    """The passages that best answer `query` among those the principal's roles may read, best first."""
    require_any(principal, "chat.use", MANAGE)
    query = (query or "").strip()
    if not query:
        return []
    roles, everything = list(principal.roles), _sees_everything(principal)
    text_hits = [] if method == "vector" else repository.text_search(
        session, question=query[:2000], roles=roles, everything=everything, limit=CANDIDATES)
    vector_hits: list[tuple[int, float]] = []
    if method != "text":
        vector = embedder.embed([query[:2000]])[0]
        if any(vector):
            repository.configure_vector_search(session, ef_search=EF_SEARCH)
            vector_hits = repository.vector_search(session, vector=engine.vector_literal(vector),
                                                   model=embedder.model_name, roles=roles,
                                                   everything=everything, limit=CANDIDATES)
    kind = "local" if embedder.model_name == engine.LOCAL_MODEL else "provider"
    ranked = engine.fuse(text_hits, vector_hits, method=method, min_text_rank=MIN_TEXT_RANK[kind],
                         min_similarity=MIN_SIMILARITY[kind], limit=max(1, min(limit, 50)))
    passages = repository.get_passages(session, [hit.passage_id for hit in ranked], roles=roles,
                                       everything=everything)
    return [SearchHit(**passages[hit.passage_id], score=hit.score, text_rank=hit.text_rank,
                      similarity=hit.similarity) for hit in ranked if hit.passage_id in passages]


def get_passages(session: Session, principal: Principal, *, passage_ids: list[int]) -> list[PassageRead]:
    """Passages by id (a citation opened), only those the principal's roles may read."""
    require_any(principal, "chat.use", MANAGE)
    found = repository.get_passages(session, passage_ids, roles=list(principal.roles),
                                    everything=_sees_everything(principal))
    return [PassageRead(**found[passage_id]) for passage_id in passage_ids if passage_id in found]


# --- managing articles -----------------------------------------------------------------------------


def list_articles(session: Session, principal: Principal, *, model: str, search: str = "",
                  limit: int = 500) -> list[ArticleRead]:
    """Every article by title, with its passages and how many of them `model` has not embedded."""
    require(principal, MANAGE)
    return [ArticleRead(**row) for row in repository.list_articles(session, search=search, model=model, limit=limit)]


def get_article(session: Session, principal: Principal, *, article_id: int, model: str) -> ArticleDetail:
    """One article with its full text."""
    require(principal, MANAGE)
    article = _article(session, article_id)
    row = next(row for row in repository.list_articles(session, search="", model=model, limit=100_000)
               if row["id"] == article_id)
    return ArticleDetail(**row, content=article.content)


def create_article(session: Session, principal: Principal, *, data: ArticleCreate, embedder: Embedder,
                   auth: Session, notes: Session) -> int:
    """Add an article: split into passages, embedded with the current model; its audience is told (the
    auth and notifications sessions come from `chat.knowledge.flows`). Returns its id."""
    require(principal, MANAGE)
    article_id = repository.insert_article(session, {
        **data.model_dump(), "created_by": principal.id, "updated_by": principal.id,
    })
    _index(session, article_id, data, embedder)
    _tell(auth, notes, principal, article_id, data)
    return article_id


def add_document(session: Session, principal: Principal, *, filename: str, data: bytes, embedder: Embedder,
                 auth: Session, notes: Session, audience: list[str] | None = None, title: str | None = None) -> int:
    """Add a Markdown, text, PDF or Word file as an article; returns its id."""
    require(principal, MANAGE)
    document = read_document(filename, data)
    article = parse(ArticleCreate, title=(title or "").strip() or document.title, content=document.markdown,
                        audience=audience or [], source_name=filename[:255], source_type=document.source_type)
    return create_article(session, principal, data=article, embedder=embedder, auth=auth, notes=notes)


def _tell(auth: Session, notes: Session, principal: Principal, article_id: int, data: ArticleCreate) -> None:
    """The people of the article's audience (everyone, if it names none) hear of it, once."""
    readers = people.list_people(auth, principal, roles=data.audience, active_only=True)
    audience = " and ".join(f"{role.replace('_', ' ')}s" for role in data.audience) or "everyone"
    why = "it is written for your role" if data.audience else "it is written for everyone"
    notifications.notify_event(
        notes, principal, type="knowledge_added", recipients=dict.fromkeys((reader.id for reader in readers), why),
        data={"article": {"id": article_id, "title": data.title, "audience": audience}},
        key=f"article:{article_id}:added")


def update_article(session: Session, principal: Principal, *, article_id: int, data: ArticleUpdate,
                   embedder: Embedder) -> None:
    """Change an article's title, text or audience; its passages are split and embedded again."""
    require(principal, MANAGE)
    _article(session, article_id)
    repository.update_article(session, article_id, {**data.model_dump(exclude_none=True),
                                                    "updated_by": principal.id})
    _index(session, article_id, data, embedder)


def replace_document(session: Session, principal: Principal, *, article_id: int, filename: str, data: bytes,
                     embedder: Embedder) -> None:
    """Replace an article's text with a new file, keeping its title and audience."""
    require(principal, MANAGE)
    article = _article(session, article_id)
    document = read_document(filename, data)
    update = parse(ArticleUpdate, title=article.title, content=document.markdown, audience=article.audience,
                       source_name=filename[:255], source_type=document.source_type)
    update_article(session, principal, article_id=article_id, data=update, embedder=embedder)


def delete_article(session: Session, principal: Principal, *, article_id: int) -> None:
    """Delete an article and its passages."""
    require(principal, MANAGE)
    if not repository.delete_article(session, article_id):
        raise NotFoundError("This article no longer exists (it may have been deleted).")


def index_status(session: Session, principal: Principal, *, model: str) -> IndexStatus:
    """How many articles and passages there are, and how many `model` still has to embed."""
    require_any(principal, "chat.use", MANAGE)
    return IndexStatus(**repository.counts(session, model=model), model=model)


def reembed(session: Session, principal: Principal, *, embedder: Embedder, batch: int = 256) -> ReembedResult:
    """Split articles that have no passages and embed every passage the current model has not embedded."""
    require(principal, MANAGE)
    split = 0
    while articles := repository.unindexed_articles(session, limit=50):
        for article in articles:
            data = ArticleCreate.model_construct(title=article.title, content=article.content,
                                                 audience=list(article.audience or []))
            _index(session, article.id, data, embedder, embed=False)
            split += 1
    embedded = 0
    while rows := repository.stale_passages(session, model=embedder.model_name, limit=batch):
        vectors = embedder.embed([text for _id, text in rows])
        repository.set_embeddings(session, [(passage_id, engine.vector_literal(vector))
                                             for (passage_id, _text), vector in zip(rows, vectors, strict=True)],
                                  model=embedder.model_name)
        embedded += len(rows)
    return ReembedResult(articles_split=split, passages_embedded=embedded, model=embedder.model_name)


def _article(session: Session, article_id: int):
    article = repository.get_article(session, article_id)
    if article is None:
        raise NotFoundError("This article no longer exists (it may have been deleted).")
    return article


def passage_rows(data: ArticleCreate) -> list[dict]:
    """The article's passages as rows (without embeddings), the heading freed of the article's own title."""
    rows = []
    for passage in engine.split_passages(data.content):
        heading = passage.heading
        if heading == data.title or heading.startswith(data.title + engine.HEADING_SEPARATOR):
            heading = heading[len(data.title):].removeprefix(engine.HEADING_SEPARATOR)
        rows.append({"position": passage.position, "title": data.title, "heading": heading,
                     "content": passage.content, "audience": list(data.audience)})
    if not rows:
        raise ValidationError("The article has no text to split into passages.")
    return rows


def _index(session: Session, article_id: int, data: ArticleCreate, embedder: Embedder, *, embed: bool = True) -> None:
    rows = passage_rows(data)
    if embed:
        texts = ["\n".join(part for part in (row["title"], row["heading"], row["content"]) if part) for row in rows]
        texts.append(f"{data.title}\n{data.content[:1000]}")
        vectors = embedder.embed(texts)
        for row, vector in zip(rows, vectors, strict=False):
            row |= {"embedding": vector, "embedding_model": embedder.model_name}
        repository.update_article(session, article_id, {"embedding": vectors[-1],
                                                        "embedding_model": embedder.model_name})
    repository.replace_passages(session, article_id, rows)
