"""Reference columns (industry, country, stage, owner, campaign, status, company…): what a cell names, the
suggestions for values that name nothing, and what the person decided for each of those values.

A `Reference` resolves a cell to the id of what it names, or raises `Unresolved` with the reason. A value
matches its target's name or one of its aliases (ISO codes, other names, e-mail addresses) whatever the
case, accents, spacing or punctuation ("U.S." is "US"); it is then never asked about. For anything else
the person decides (`Decision`: map to a target, create it, leave the field blank, or skip those rows),
helped by a suggestion: a synonym the reference data carries ("medical" often means Healthcare), a word
of exactly one name ("software"), or a close spelling ("technolgy", "Philipines").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session

TargetId = int | str
SuggestionKind = Literal["synonym", "word", "spelling", "similar"]
SUGGESTION_KINDS: dict[str, str] = {
    "synonym": "often means", "word": "word of the name", "spelling": "close spelling", "similar": "similar name",
}
SPELLING_CUTOFF = 0.8  # difflib ratio: "technolgy"/"technology" 0.95, "Philipines"/"Philippines" 0.95
MIN_SPELLING_LENGTH = 4  # "UK" is close to too many things to suggest one


def value_key(text: str) -> str:
    """How decisions are keyed: case- and space-insensitive ("  Acme  CORP" and "acme corp" are one value)."""
    return " ".join(text.casefold().split())


def match_key(text: str) -> str:
    """How names are compared: also accents, '&'/'and', dots and apostrophes ("U.S." = "us", "Côte d'Ivoire")."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("&", " and "))
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    plain = re.sub(r"[.'’`]", "", plain)
    words = re.sub(r"[\W_]+", " ", plain).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


class Unresolved(ValueError):
    """A cell that names nothing this import can use; the message says why ("unknown industry 'X'")."""


@dataclass(frozen=True)
class Term:
    """Something a reference column can name: its id, its name, exact other names, and related words."""

    id: TargetId
    label: str
    aliases: tuple[str, ...] = ()  # mean exactly this: resolved without asking
    synonyms: tuple[str, ...] = ()  # often mean this: suggested, applied only when chosen


@dataclass(frozen=True)
class Suggestion:
    """The likeliest target for an unknown value, and why it is suggested."""

    id: TargetId
    label: str
    kind: SuggestionKind


DecisionAction = Literal["map", "create", "blank", "skip"]


class Decision(BaseModel):
    """What to do with the rows holding one unknown value: map it to a target (by id), create it, leave the
    field blank, or skip those rows."""

    action: DecisionAction
    target: TargetId | None = None
    label: str | None = None  # the target's name, to show and to find it again if its id went


class ValueChoices(BaseModel):
    """The decisions of one import: per field, per value (by `value_key`), and for the field's other unknown
    values ("blank", "skip" or "create")."""

    values: dict[str, dict[str, Decision]] = {}
    unknown: dict[str, DecisionAction] = {}

    def decision(self, name: str, text: str) -> Decision | None:
        chosen = self.values.get(name, {}).get(value_key(text))
        if chosen is not None:
            return chosen
        action = self.unknown.get(name)
        return Decision(action=action) if action else None

    def merged(self, other: ValueChoices) -> ValueChoices:
        """These choices with `other`'s on top (a value `other` decides is decided its way)."""
        values = {name: dict(decisions) for name, decisions in self.values.items()}
        for name, decisions in other.values.items():
            values.setdefault(name, {}).update(decisions)
        return ValueChoices(values=values, unknown={**self.unknown, **other.unknown})

    def choose(self, name: str, text: str, decision: Decision) -> None:
        self.values.setdefault(name, {})[value_key(text)] = decision


class Reference:
    """A column naming records of another table. Subclasses for tables too large to hold override `prepare`
    (one query per batch), `resolve` and `suggest`."""

    field: str
    noun: str  # "industry": how messages name what the column holds
    permission_to_create: str | None = None  # None: values cannot be created by an import

    def prepare(self, session: Session, texts: Collection[str]) -> None:
        """Look up, in one query, what this batch's distinct values name (nothing to do for a held list)."""

    def resolve(self, text: str) -> TargetId:
        """The id `text` names; Unresolved says why not."""
        raise NotImplementedError

    def suggest(self, session: Session, texts: Sequence[str]) -> dict[str, Suggestion]:
        """The best target for each unknown value that has one."""
        return {}

    def targets(self) -> list[Term] | None:
        """Everything a value can be mapped to, for a choice on the page; None when too many to list."""
        return None

    def existing(self, session: Session, ids: Collection[TargetId]) -> set[TargetId]:
        """Which of `ids` still name a target (a remembered choice may point at one deleted since)."""
        return set(ids)

    def create(self, session: Session, principal: Any, names: Sequence[str]) -> dict[str, TargetId]:
        """Create a record for each name (value key -> new id); the caller checked `permission_to_create`."""
        raise NotImplementedError(f"{self.noun} values cannot be created by an import")

    def can_create(self, principal: Any) -> bool:
        permission = self.permission_to_create
        return permission is not None and permission in getattr(principal, "permissions", ())


class Vocabulary(Reference):
    """A reference whose every target is held in memory (industries, countries, stages, users, campaigns)."""

    def __init__(
        self, name: str, noun: str, terms: Iterable[Term], *, refused: Mapping[str, str] | None = None,
        hint: str = "", permission_to_create: str | None = None,
        create: Callable[[Session, Any, Sequence[str]], dict[str, TargetId]] | None = None,
    ) -> None:
        """`refused`: values that name something this import cannot use -> why ("is deactivated"); `hint`: how
        to name one, added to "unknown owner 'X'"."""
        self.field, self.noun, self.permission_to_create = name, noun, permission_to_create
        self._create, self._hint = create, hint
        self.terms = list(terms)
        self._exact: dict[str, Term] = {}
        for term in self.terms:  # names win over aliases where they collide
            for alias in term.aliases:
                self._exact.setdefault(match_key(alias), term)
        for term in self.terms:
            self._exact[match_key(term.label)] = term
        self._refused = {match_key(text): reason for text, reason in (refused or {}).items()}
        self._synonyms = {match_key(word): term for term in self.terms for word in term.synonyms}
        words: dict[str, set[TargetId]] = defaultdict(set)
        for term in self.terms:
            for word in match_key(term.label).split():
                if len(word) >= MIN_SPELLING_LENGTH:
                    words[word].add(term.id)
        by_id = {term.id: term for term in self.terms}
        self._words = {word: by_id[next(iter(ids))] for word, ids in words.items() if len(ids) == 1}
        self._spellings: dict[str, Term] = {}
        for term in self.terms:
            for spelling in (term.label, *term.aliases, *term.synonyms):
                key = match_key(spelling)
                if len(key) >= MIN_SPELLING_LENGTH:
                    self._spellings.setdefault(key, term)

    def resolve(self, text: str) -> TargetId:
        key = match_key(text)
        if key in self._refused:
            raise Unresolved(f"{self.noun} '{text}' {self._refused[key]}")
        term = self._exact.get(key)
        if term is None:
            raise Unresolved(f"unknown {self.noun} '{text}'" + (f" ({self._hint})" if self._hint else ""))
        return term.id

    def suggest(self, session: Session, texts: Sequence[str]) -> dict[str, Suggestion]:
        found = {}
        for text in texts:
            suggestion = self.suggest_one(text)
            if suggestion is not None:
                found[text] = suggestion
        return found

    def suggest_one(self, text: str) -> Suggestion | None:
        key = match_key(text)
        if key in self._refused:
            return None
        for table, kind in ((self._synonyms, "synonym"), (self._words, "word")):
            if key in table:
                return Suggestion(table[key].id, table[key].label, kind)  # type: ignore[arg-type]
        if len(key) >= MIN_SPELLING_LENGTH:
            close = difflib.get_close_matches(key, self._spellings, n=1, cutoff=SPELLING_CUTOFF)
            if close:
                term = self._spellings[close[0]]
                return Suggestion(term.id, term.label, "spelling")
        return None

    def targets(self) -> list[Term]:
        return self.terms

    def existing(self, session: Session, ids: Collection[TargetId]) -> set[TargetId]:
        held = {term.id for term in self.terms}
        return {target for target in ids if target in held}

    def create(self, session: Session, principal: Any, names: Sequence[str]) -> dict[str, TargetId]:
        if self._create is None:
            return super().create(session, principal, names)
        created = self._create(session, principal, names)
        for name in names:
            if value_key(name) in created:
                term = Term(created[value_key(name)], name)
                self.terms.append(term)
                self._exact[match_key(name)] = term
        return created
