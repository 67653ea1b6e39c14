"""The person's answers to an import's questions, as the command line gives them: `--map-value
COLUMN:VALUE=TARGET`, `--create-missing COLUMN`, `--blank-unknown COLUMN`, `--skip-unknown COLUMN` and
`--accept-suggestions`, turned into the `ValueChoices` an import applies.

COLUMN is a field's name or label ("industry") or the file's own column name ("Sector"); TARGET is the name
(or a code or alias) of something that exists; an empty TARGET leaves the field blank for that value, and
"+" creates it (industries, campaigns: for those allowed to).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nexus360.common.errors import ValidationError
from nexus360.importing.scan import ScanReport
from nexus360.importing.spec import BatchHandler, ImporterSpec, SessionFactory, normalise_header
from nexus360.importing.values import Decision, Unresolved, ValueChoices, value_key

CREATE = "+"


@dataclass(frozen=True)
class ValueAnswer:
    """One `--map-value`: in COLUMN, VALUE means TARGET (blank if TARGET is empty)."""

    column: str
    value: str
    target: str


def parse_value_answers(pairs: Sequence[str]) -> list[ValueAnswer]:
    """`COLUMN:VALUE=TARGET` strings; ValidationError names the one that is not of that shape."""
    answers = []
    for pair in pairs:
        column, colon, rest = pair.partition(":")
        value, equals, target = rest.rpartition("=")
        if not colon or not equals or not column.strip() or not value.strip():
            raise ValidationError(f"--map-value '{pair}': write COLUMN:VALUE=TARGET, like "
                                  "--map-value 'industry:technolgy=Software & Internet' (an empty TARGET leaves "
                                  "the field blank).")
        answers.append(ValueAnswer(column.strip(), value.strip(), target.strip()))
    return answers


def field_of(column: str, spec: ImporterSpec, handler: BatchHandler, columns: Mapping[str, str], option: str) -> str:
    """The reference field COLUMN names: a field's name or label, or the file's column that fills it."""
    wanted = normalise_header(column)
    for name in handler.references:
        label = spec.field_named(name).label
        if wanted in (normalise_header(name), normalise_header(label), normalise_header(columns.get(name, ""))):
            return name
    names = ", ".join(sorted(handler.references))
    raise ValidationError(f"{option} {column}: no column of values to decide is called that; they are: {names}.")


def choices_from_answers(
    spec: ImporterSpec, handler: BatchHandler, sessions: SessionFactory, columns: Mapping[str, str], *,
    values: Sequence[ValueAnswer] = (), create: Sequence[str] = (), blank: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> ValueChoices:
    """The decisions the command line gives; each TARGET must name something that exists."""
    choices = ValueChoices()
    for option, action, named in (("--create-missing", "create", create), ("--blank-unknown", "blank", blank),
                                  ("--skip-unknown", "skip", skip)):
        for column in named:
            name = field_of(column, spec, handler, columns, option)
            if action == "blank" and spec.field_named(name).required:
                raise ValidationError(f"{option} {column}: {name} is required, so its rows cannot go without one; "
                                      "use --skip-unknown or --map-value.")
            choices.unknown[name] = action  # type: ignore[assignment]
    with sessions(spec.database) as session:
        for answer in values:
            name = field_of(answer.column, spec, handler, columns, "--map-value")
            choices.choose(name, answer.value, _decision(spec, handler, session, name, answer))
    return choices


def _decision(spec: ImporterSpec, handler: BatchHandler, session: object, name: str, answer: ValueAnswer) -> Decision:
    if not answer.target:
        if spec.field_named(name).required:
            raise ValidationError(f"--map-value {answer.column}:{answer.value}=: {name} is required; name what "
                                  "the value means, or skip its rows with --skip-unknown.")
        return Decision(action="blank")
    reference = handler.references[name]
    if answer.target == CREATE:
        return Decision(action="create")
    reference.prepare(session, [answer.target])  # type: ignore[arg-type]
    try:
        target = reference.resolve(answer.target)
    except Unresolved as why:
        raise ValidationError(f"--map-value {answer.column}:{answer.value}={answer.target}: {why}.") from None
    return Decision(action="map", target=target, label=answer.target)


NEVER_ACCEPTED = frozenset({"similar"})  # a similar company name may be another company: map it by name


def accept_suggestions(report: ScanReport, choices: ValueChoices) -> ValueChoices:
    """`choices`, plus "map to the suggestion" for each unknown value that has one and no decision yet (a similar
    company name excepted: "Acme Corp" is never merged into "Acme Corporation" without being named)."""
    accepted = ValueChoices(values={name: dict(decisions) for name, decisions in choices.values.items()},
                            unknown=dict(choices.unknown))
    for name, values in report.unknown.items():
        for value in values:
            undecided = accepted.values.get(name, {}).get(value_key(value.value)) is None
            if value.suggestion_id is not None and value.suggestion_kind not in NEVER_ACCEPTED and undecided:
                accepted.choose(name, value.value, Decision(action="map", target=value.suggestion_id,
                                                            label=value.suggestion))
    return accepted
