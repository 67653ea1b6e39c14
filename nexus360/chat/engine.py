"""Retrieval arithmetic, with no session and no I/O: passages, the local embedding, fusion, token counts.

- `split_passages` cuts an article (Markdown) into passages of a few sentences that keep their heading.
- `embed_local` is the offline embedding: signed feature hashing of word stems, stem pairs and
  character 4-grams into 1536 dimensions (the width of the contract's VECTOR(1536)), L2-normalised.
  It needs no key and no download, is deterministic across processes, and its recall is measured by
  `python -m nexus360 bench assistant` against the golden set (README).
- `fuse` merges the full-text and vector rankings (reciprocal rank fusion by default) after the
  relevance threshold, so a question about nothing in the knowledge base gets no passage at all.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

DIMENSIONS = 1536
LOCAL_MODEL = "local:hash-ngram-v1"
MAX_PASSAGE_CHARS = 900
RRF_K = 60
HEADING_SEPARATOR = " › "

# --- passages ------------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


@dataclass(frozen=True)
class Passage:
    position: int
    heading: str
    content: str


def split_passages(markdown: str, *, max_chars: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """Cut Markdown into passages of at most ~`max_chars`, each carrying the heading path above it."""
    sections: list[tuple[str, list[str]]] = []
    stack: list[tuple[int, str]] = []
    paragraphs: list[str] = []
    lines: list[str] = []

    def end_paragraph() -> None:
        if lines:
            paragraphs.append(" ".join(line.strip() for line in lines).strip())
            lines.clear()

    def end_section() -> None:
        end_paragraph()
        if paragraphs:
            sections.append((HEADING_SEPARATOR.join(title for _level, title in stack), paragraphs.copy()))
            paragraphs.clear()

    for raw in (markdown or "").replace("\r\n", "\n").split("\n"):
        heading = _HEADING.match(raw.strip())
        if heading:
            end_section()
            level = len(heading.group(1))
            stack[:] = [entry for entry in stack if entry[0] < level] + [(level, heading.group(2).strip())]
        elif not raw.strip():
            end_paragraph()
        elif raw.lstrip().startswith(("- ", "* ", "+ ")) or re.match(r"^\s*\d+[.)]\s", raw):
            end_paragraph()  # a list item is a paragraph of its own, kept whole when it fits
            lines.append(raw.strip())
        else:
            lines.append(raw)
    end_section()
    passages: list[Passage] = []
    for heading, section in sections:
        for content in _pack(section, max_chars):
            passages.append(Passage(len(passages), heading[:500], content))
    return passages


def _pack(paragraphs: list[str], max_chars: int) -> list[str]:
    pieces: list[str] = []
    for paragraph in paragraphs:
        pieces += [paragraph] if len(paragraph) <= max_chars else _sentences(paragraph, max_chars)
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + len(piece) + 2 <= max_chars:
            packed[-1] = f"{packed[-1]}\n\n{piece}"
        else:
            packed.append(piece)
    return packed


def _sentences(paragraph: str, max_chars: int) -> list[str]:
    chunks: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph):
        while len(sentence) > max_chars:  # a "sentence" with no full stop: cut at a space
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            chunks.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if chunks and len(chunks[-1]) + len(sentence) + 1 <= max_chars:
            chunks[-1] = f"{chunks[-1]} {sentence}"
        elif sentence:
            chunks.append(sentence)
    return chunks


# --- the local embedding -------------------------------------------------------------------------

STOP_WORDS = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having",
    "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it",
    "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
    "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should",
    "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours", "yourself", "yourselves", "get", "got", "also", "may", "might", "must", "shall", "us", "let"
})
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ings", "ing", "ness", "ies", "ied", "ers", "er",
             "ed", "es", "ly", "s")


def stem(word: str) -> str:
    """A light suffix stripper: enough to meet "commissions"/"commission", "approved"/"approval"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            break
    if word.endswith("al") and len(word) > 5:
        word = word[:-2]
    return word


def terms(text: str) -> list[str]:
    """The stems of the words that carry meaning, in order."""
    return [stem(word) for word in _WORD.findall((text or "").lower()) if word not in STOP_WORDS]


def _features(text: str) -> tuple[list[str], list[float]]:
    stems = terms(text)
    names: list[str] = []
    weights: list[float] = []
    counts: dict[str, int] = {}
    for word in stems:
        counts[word] = counts.get(word, 0) + 1
    for word, count in counts.items():
        names.append(f"w:{word}")
        weights.append(1.0 + math.log(count))
        padded = f"<{word}>"
        grams = [padded[i : i + 4] for i in range(max(1, len(padded) - 3))]
        for gram in grams:
            names.append(f"c:{gram}")
            weights.append(0.5 / len(grams))
    for first, second in zip(stems, stems[1:], strict=False):
        names.append(f"b:{first}_{second}")
        weights.append(0.5)
    return names, weights


def embed_local(text: str) -> list[float]:
    """The offline embedding of `text` (unit length; all zeros for text without a meaningful word)."""
    names, weights = _features(text)
    if not names:
        return [0.0] * DIMENSIONS
    hashes = np.fromiter((zlib.crc32(name.encode()) for name in names), dtype=np.uint64, count=len(names))
    signs = np.where((hashes >> np.uint64(31)) & np.uint64(1), -1.0, 1.0)
    vector = np.bincount((hashes % DIMENSIONS).astype(np.int64), weights=np.asarray(weights) * signs,
                         minlength=DIMENSIONS)
    norm = float(np.linalg.norm(vector))
    return (vector / norm).tolist() if norm else [0.0] * DIMENSIONS


def fit_dimensions(vector: Sequence[float]) -> list[float]:
    """A provider's embedding in the column's 1536 dimensions: shorter ones are zero-padded (cosine is kept)."""
    if len(vector) > DIMENSIONS:
        raise ValueError(f"embeddings of {len(vector)} dimensions do not fit the {DIMENSIONS} of the knowledge base")
    return list(vector) + [0.0] * (DIMENSIONS - len(vector))


def vector_literal(vector: Sequence[float]) -> str:
    """pgvector's text form, for a bound parameter cast to vector."""
    return "[" + ",".join(f"{value:.6g}" for value in vector) + "]"


# --- fusion ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """One passage found by one or both searches: its full-text rank and its cosine similarity."""

    passage_id: int
    text_rank: float | None = None
    similarity: float | None = None
    score: float = 0.0


def relevant(candidate: Ranked, *, min_text_rank: float, min_similarity: float) -> bool:
    """The relevance threshold: a passage counts if either search found it convincingly."""
    return (candidate.text_rank or 0.0) >= min_text_rank or (candidate.similarity or -1.0) >= min_similarity


def fuse(
    text_hits: Sequence[tuple[int, float]],
    vector_hits: Sequence[tuple[int, float]],
    *,
    method: str = "rrf",
    min_text_rank: float = 0.0,
    min_similarity: float = -1.0,
    limit: int = 10,
    k: int = RRF_K,
) -> list[Ranked]:
    """Merge the two rankings (each best first) into one, best first, keeping only relevant passages.

    rrf: sum of 1/(k + rank) over the lists a passage appears in (Cormack et al., 2009).
    max: each list's scores divided by that list's best, then the larger of the two per passage.
    text / vector: one list alone (what the benchmark compares the fusion with).
    """
    found: dict[int, Ranked] = {}
    for passage_id, rank in text_hits:
        found[passage_id] = Ranked(passage_id, text_rank=rank)
    for passage_id, similarity in vector_hits:
        before = found.get(passage_id, Ranked(passage_id))
        found[passage_id] = Ranked(passage_id, text_rank=before.text_rank, similarity=similarity)
    scores: dict[int, float] = {}
    if method in ("rrf", "text"):
        for position, (passage_id, _rank) in enumerate(text_hits, start=1):
            scores[passage_id] = scores.get(passage_id, 0.0) + 1.0 / (k + position)
    if method in ("rrf", "vector"):
        for position, (passage_id, _similarity) in enumerate(vector_hits, start=1):
            scores[passage_id] = scores.get(passage_id, 0.0) + 1.0 / (k + position)
    if method == "max":
        for hits in (text_hits, vector_hits):
            best = max((score for _id, score in hits), default=0.0) or 1.0
            for passage_id, score in hits:
                scores[passage_id] = max(scores.get(passage_id, 0.0), score / best)
    ranked = [
        Ranked(passage_id, found[passage_id].text_rank, found[passage_id].similarity, score)
        for passage_id, score in scores.items()
        if relevant(found[passage_id], min_text_rank=min_text_rank, min_similarity=min_similarity)
    ]
    ranked.sort(key=lambda item: (-item.score, item.passage_id))
    return ranked[:limit]


# --- tokens ------------------------------------------------------------------------------------------


def estimate_tokens(text: str) -> int:
    """About four characters per token (OpenAI's rule of thumb), for messages no model has counted."""
    return max(1, math.ceil(len(text or "") / 4))


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))
