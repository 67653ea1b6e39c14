"""Values of reference columns: what resolves without asking (names, codes, aliases in any case and spelling),
what is suggested (synonyms, a word of one name, close spellings) and the decisions on the rest."""

from __future__ import annotations

import time

import pytest

from nexus360.importing.values import (
    Decision,
    Term,
    Unresolved,
    ValueChoices,
    Vocabulary,
    match_key,
    value_key,
)
from nexus360.reference.data import INDUSTRIES, countries
from nexus360.reference.synonyms import COUNTRY_ALIASES, COUNTRY_SYNONYMS, INDUSTRY_SYNONYMS


@pytest.fixture(scope="module")
def industries() -> Vocabulary:
    return Vocabulary("industry", "industry", [Term(index, name, synonyms=INDUSTRY_SYNONYMS.get(name, ()))
                                               for index, name in enumerate(INDUSTRIES, start=1)])


@pytest.fixture(scope="module")
def country_list() -> Vocabulary:
    return Vocabulary("country", "country", [
        Term(row["iso_code_2"], row["name"],
             aliases=(row["iso_code_2"], row["iso_code_3"], *COUNTRY_ALIASES.get(row["iso_code_2"], ())),
             synonyms=COUNTRY_SYNONYMS.get(row["iso_code_2"], ()))
        for row in countries()
    ])


def test_keys_ignore_case_spacing_and_for_names_accents_dots_and_ampersands() -> None:
    assert value_key("  Acme   CORP ") == "acme corp"
    assert match_key("U.S.") == match_key("us") == "us"
    assert match_key("Côte d’Ivoire") == match_key("cote divoire")
    assert match_key("Software & Internet") == match_key("software and internet")
    assert match_key("The Netherlands") == match_key("netherlands")


@pytest.mark.parametrize("written", ["United States", "united states", "USA", "usa", "U.S.", "US", "U.S.A.",
                                     "United States of America", " united   STATES "])
def test_names_codes_and_aliases_of_a_country_resolve_without_asking(country_list, written) -> None:
    assert country_list.resolve(written) == "US"


@pytest.mark.parametrize(("written", "code"), [("Holland", "NL"), ("UK", "GB"), ("Türkiye", "TR"), ("Turkey", "TR"),
                                               ("Russia", "RU"), ("deu", "DE"), ("Viet Nam", "VN")])
def test_known_aliases_resolve(country_list, written, code) -> None:
    assert country_list.resolve(written) == code


def test_every_alias_and_synonym_names_a_seeded_country_or_industry() -> None:
    codes = {row["iso_code_2"] for row in countries()}
    assert set(COUNTRY_ALIASES) <= codes and set(COUNTRY_SYNONYMS) <= codes
    assert set(INDUSTRY_SYNONYMS) <= set(INDUSTRIES)


@pytest.mark.parametrize(("written", "label", "kind"), [
    ("Philipines", "Philippines", "spelling"),
    ("Korea", "South Korea", "synonym"),
    ("England", "United Kingdom", "synonym"),
    ("Germny", "Germany", "spelling"),
])
def test_unknown_countries_get_a_suggestion_and_why(country_list, written, label, kind) -> None:
    with pytest.raises(Unresolved, match=f"unknown country '{written}'"):
        country_list.resolve(written)
    suggestion = country_list.suggest_one(written)
    assert (suggestion.label, suggestion.kind) == (label, kind)


@pytest.mark.parametrize(("written", "label", "kind"), [
    ("technolgy", "Software & Internet", "spelling"),  # a typo of the synonym "technology"
    ("medical", "Healthcare", "synonym"),
    ("software", "Software & Internet", "synonym"),
    ("finance", "Financial Services", "synonym"),
    ("entertainment", "Media & Entertainment", "synonym"),
    ("Pharmaceutical", "Pharmaceuticals", "spelling"),
    ("Hospitals", "Healthcare", "synonym"),
])
def test_unknown_industries_get_a_suggestion(industries, written, label, kind) -> None:
    suggestion = industries.suggest_one(written)
    assert (suggestion.label, suggestion.kind) == (label, kind)


def test_a_word_of_exactly_one_name_is_suggested() -> None:
    terms = [Term(1, "Needs Analysis"), Term(2, "Closed Won"), Term(3, "Closed Lost")]
    vocabulary = Vocabulary("stage", "stage", terms)
    assert vocabulary.suggest_one("analysis").kind == "word"
    assert vocabulary.suggest_one("closed") is None  # two names have it: no guess


def test_nothing_is_suggested_for_a_value_like_nothing_known(industries, country_list) -> None:
    assert industries.suggest_one("Basket Weaving") is None
    assert country_list.suggest_one("Atlantis") is None
    assert country_list.suggest_one("XY") is None  # too short to guess from


def test_a_refused_value_says_why_and_a_hint_says_how_to_name_one() -> None:
    owners = Vocabulary("owner", "owner", [Term(1, "Emily Chen", aliases=("emily@x.example",))],
                        refused={"Tomasz Nowak": "is deactivated"}, hint="give a user's full name or email")
    assert owners.resolve("EMILY@X.EXAMPLE") == 1
    with pytest.raises(Unresolved, match="owner 'tomasz nowak' is deactivated"):
        owners.resolve("tomasz nowak")
    with pytest.raises(Unresolved, match=r"unknown owner 'Nobody' \(give a user's full name or email\)"):
        owners.resolve("Nobody")
    assert owners.suggest_one("Emily Chn").label == "Emily Chen"


def test_decisions_are_keyed_case_and_space_insensitively_and_later_ones_win() -> None:
    choices = ValueChoices()
    choices.choose("industry", "Technolgy ", Decision(action="map", target=1))
    choices.unknown["country"] = "blank"
    assert choices.decision("industry", "  TECHNOLGY").target == 1
    assert choices.decision("country", "Atlantis").action == "blank"
    later = ValueChoices()
    later.choose("industry", "technolgy", Decision(action="skip"))
    assert choices.merged(later).decision("industry", "technolgy").action == "skip"
    assert choices.decision("industry", "technolgy").action == "map"  # merged() leaves both as they were


def test_suggesting_for_a_thousand_unknown_values_takes_well_under_a_second(country_list) -> None:
    """difflib is enough here: it compares a value with a few hundred names (the lists are short and the
    suggestions are made once per distinct value, not per row). Measured: about 1 s for 1,000 values on
    a loaded 2-core machine; the scan asks for at most 500 per column."""
    values = [f"Cuntry {index}" for index in range(1000)]
    started = time.perf_counter()
    country_list.suggest(None, values)  # type: ignore[arg-type]
    assert time.perf_counter() - started < 5
