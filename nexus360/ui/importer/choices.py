"""The questions an import asks before anything is written: for each value of a reference column that names
nothing (an industry "technolgy", a country "Philipines", an owner who is not a user), what it becomes.

One select box per value, most rows first, set to the answer given last time for a file with these columns,
else to the suggestion, else to leaving the field blank (or, for a required field, to skipping the rows).
A column whose values name records of another file (a deal's company) also offers to import that file first.
The options and defaults are plain functions (`options_for`, `default_key`), tested without a page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from nexus360.importing.flows import ReferenceInfo
from nexus360.importing.summary import UnknownValue
from nexus360.importing.values import SUGGESTION_KINDS, Decision, DecisionAction, ValueChoices
from nexus360.ui.formatting import literal

MAX_ASKED = 30  # values asked one by one per column; the others share one answer
NEVER_DEFAULT = frozenset({"similar"})  # "Acme Corp" may be another company than "Acme Corporation": offered only
RELATED_TITLES = {"companies": "companies", "contacts": "contacts"}


@dataclass(frozen=True)
class Option:
    """One answer offered for a value: its widget key, its words, the decision it makes."""

    key: str
    label: str
    decision: Decision


def options_for(info: ReferenceInfo, value: UnknownValue) -> list[Option]:
    """The suggestion first, then blank (optional fields), skip, create (if allowed), then every target."""
    options = []
    if value.suggestion_id is not None:
        kind = SUGGESTION_KINDS.get(value.suggestion_kind or "", "suggested")
        options.append(Option(f"map:{value.suggestion_id}", f"{value.suggestion} ({kind})",
                              Decision(action="map", target=value.suggestion_id, label=value.suggestion)))
    if not info.required:
        options.append(Option("blank", f"Leave the {info.noun} blank", Decision(action="blank")))
    options.append(Option("skip", "Skip these rows", Decision(action="skip")))
    if info.can_create:
        options.append(Option("create", f"Create it as a new {info.noun}", Decision(action="create")))
    offered = {option.key for option in options}
    for term in info.targets or ():
        if f"map:{term.id}" not in offered:
            options.append(Option(f"map:{term.id}", term.label,
                                  Decision(action="map", target=term.id, label=term.label)))
    return options


def default_key(info: ReferenceInfo, value: UnknownValue, options: Sequence[Option]) -> str:
    """The answer given before (remembered), else the suggestion (but a similar company name is only offered, never
    chosen for the person), else blank (skip for a required field)."""
    keys = [option.key for option in options]
    decided = value.decision
    if decided is not None:
        key = f"map:{decided.target}" if decided.action == "map" else decided.action
        if key in keys:
            return key
    if value.suggestion_id is not None and value.suggestion_kind not in NEVER_DEFAULT:
        return f"map:{value.suggestion_id}"
    return "skip" if info.required else "blank"


def other_actions(info: ReferenceInfo) -> dict[DecisionAction, str]:
    """The answers for a column's values not asked one by one."""
    actions: dict[DecisionAction, str] = {}
    if not info.required:
        actions["blank"] = f"Leave the {info.noun} blank"
    actions["skip"] = "Skip their rows"
    if info.can_create:
        actions["create"] = f"Create each as a new {info.noun}"
    return actions


def asked(info: ReferenceInfo, values: Sequence[UnknownValue]) -> tuple[list[UnknownValue], list[UnknownValue]]:
    """(values asked one by one, the others). Without a list of targets (companies) only values with a
    suggestion are worth a question of their own."""
    candidates = [value for value in values if info.targets is not None or value.suggestion_id is not None]
    first = candidates[:MAX_ASKED]
    chosen = {id(value) for value in first}
    return first, [value for value in values if id(value) not in chosen]


def render_choices(
    unknown: Mapping[str, list[UnknownValue]], infos: Mapping[str, ReferenceInfo], labels: Mapping[str, str],
    remembered: ValueChoices, key: str, *, import_related: Callable[[str], None] | None = None,
) -> ValueChoices:
    """The questions for every reference column with values that name nothing; the answers as ValueChoices."""
    choices = ValueChoices()
    columns = [name for name in infos if unknown.get(name)]
    if not columns:
        return choices
    st.markdown("**Values to decide**: nothing is written until you import")
    for name in columns:
        info, values = infos[name], unknown[name]
        rows = sum(value.rows for value in values)
        st.markdown(f"*{literal(labels.get(name, name)).capitalize()}*: {len(values):,} "
                    f"{_plural(len(values), 'value names', 'values name')} no {info.noun} ({rows:,} "
                    f"{_plural(rows, 'row', 'rows')})")
        if info.related and import_related is not None:
            _related(info, values, key, name, import_related)
        one_by_one, others = asked(info, values)
        grid = st.columns(3)
        for index, value in enumerate(one_by_one):
            options = options_for(info, value)
            by_key = {option.key: option for option in options}
            keys = list(by_key)
            chosen = grid[index % 3].selectbox(
                f"{literal(value.value)} · {value.rows:,} {_plural(value.rows, 'row', 'rows')}", keys,
                index=keys.index(default_key(info, value, options)), format_func=lambda k, b=by_key: b[k].label,
                key=f"{key}_value_{name}_{_digest(value.value)}",
                help=f"First on line {value.first_line:,}: {literal(value.reason)}.",
            )
            choices.choose(name, value.value, by_key[chosen].decision)
        if others:
            actions = other_actions(info)
            default = remembered.unknown.get(name)
            other_rows = sum(value.rows for value in others)
            keys = list(actions)
            action = st.selectbox(
                f"The other {len(others):,} {_plural(len(others), 'value', 'values')} "
                f"({other_rows:,} {_plural(other_rows, 'row', 'rows')})", keys,
                index=keys.index(default) if default in keys else 0, format_func=actions.__getitem__,
                key=f"{key}_others_{name}",
            )
            choices.unknown[name] = action
    return choices


def _related(info: ReferenceInfo, values: Sequence[UnknownValue], key: str, name: str,
             import_related: Callable[[str], None]) -> None:
    """Which records the file names that do not exist, and the offer to import their file first."""
    related = info.related or ""
    rows = sum(value.rows for value in values)
    records = _plural(len(values), info.noun, RELATED_TITLES.get(related, related))
    st.warning(f"{len(values):,} {records} named in this file "
               f"{_plural(len(values), 'is', 'are')} not in the CRM ({rows:,} {_plural(rows, 'row', 'rows')}): "
               f"those rows are skipped unless you import the {related} file first, or map a name to a similar "
               f"one below.", icon=":material/link_off:")
    frame = pd.DataFrame([{"Name in the file": value.value, "Rows": value.rows, "First line": value.first_line,
                           "Similar name in the CRM": value.suggestion or ""} for value in values])
    st.dataframe(frame, hide_index=True, width="stretch", height=min(35 * len(frame) + 38, 250))
    if st.toggle(f"Import the {related} file first", key=f"{key}_related_{name}"):
        with st.container(border=True):
            import_related(related)


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _digest(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()
