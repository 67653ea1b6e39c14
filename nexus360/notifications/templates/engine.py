"""Message templates: checked before they are saved, rendered in Jinja2's sandbox (no I/O, no session).

A template is a subject and a body written with `{{ variable }}` placeholders and simple `{% if %}` /
`{% for %}` blocks. It reaches nothing but the data of its event: the environment has no globals, no loader
and an allow-list of filters, attribute access is allowed only along the variables the event type offers,
and the sandbox refuses anything else at render time too (private attributes, unsafe calls, huge powers).

The text part (in-app message and the e-mail's plain part) renders without escaping; the HTML part renders
with autoescape, so whatever the data holds (a deal named `<script>`) is shown, never interpreted.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

SUBJECT_MAX = 255
BODY_MAX = 10_000
OUTPUT_MAX = 50_000
FILTERS = frozenset({
    "upper", "lower", "title", "capitalize", "trim", "truncate", "default", "d", "replace", "round", "length",
    "count", "wordwrap", "abs", "int", "float", "string", "join", "first", "last", "e", "escape", "striptags",
})
STATEMENTS = (nodes.Output, nodes.If, nodes.For, nodes.Assign)  # what a template may contain besides text


class TemplateProblem(ValueError):
    """A template that cannot be saved: `part` (subject or body), `line` and the reason in plain words."""

    def __init__(self, part: str, line: int | None, reason: str) -> None:
        self.part, self.line, self.reason = part, line, reason
        where = f"{part.capitalize()}, line {line}" if line else part.capitalize()
        super().__init__(f"{where}: {reason}")


class _Sandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            raise SecurityError("powers are not allowed in a template")
        if isinstance(left, str | list) or isinstance(right, str | list):
            count = right if isinstance(left, str | list) else left
            if isinstance(count, int) and count > 100:
                raise SecurityError("repeating text more than 100 times is not allowed")
        return operator.mul(left, right)


def _environment(*, html: bool, strict: bool) -> SandboxedEnvironment:
    environment = _Sandbox(autoescape=html, undefined=StrictUndefined if strict else Undefined,
                           keep_trailing_newline=False)
    environment.globals.clear()  # no range, dict, lipsum, cycler, joiner, namespace
    environment.filters = {name: environment.filters[name] for name in FILTERS}
    environment.tests = {name: test for name, test in environment.tests.items()
                         if name in {"defined", "undefined", "none", "number", "string", "eq", "ne", "lt", "gt",
                                     "le", "ge", "in", "odd", "even", "divisibleby"}}
    return environment


TEXT = _environment(html=False, strict=False)
HTML = _environment(html=True, strict=False)
STRICT = _environment(html=False, strict=True)  # checks a template on its sample: a missing value is an error


@dataclass(frozen=True)
class Rendered:
    subject: str  # one line, at most SUBJECT_MAX characters
    text: str  # the in-app message and the e-mail's plain part
    html: Markup  # the e-mail's HTML fragment: data escaped, line breaks as <br>


def check(*, subject: str, body: str, paths: frozenset[str], sample: dict[str, Any]) -> None:
    """Raise TemplateProblem (with the part and line) unless both parts parse, use only `paths`, and render
    on the sample within their limits."""
    if not subject.strip():
        raise TemplateProblem("subject", None, "it must not be empty.")
    if not body.strip():
        raise TemplateProblem("body", None, "it must not be empty.")
    if len(subject) > SUBJECT_MAX:
        raise TemplateProblem("subject", None, f"it must be at most {SUBJECT_MAX} characters.")
    if len(body) > BODY_MAX:
        raise TemplateProblem("body", None, f"it must be at most {BODY_MAX:,} characters.")
    for part, source in (("subject", subject), ("body", body)):
        _check_part(part, source, paths)
        try:
            output = _compiled(STRICT, source).render(sample)
        except TemplateError as error:
            raise TemplateProblem(part, _line_of(error), f"it cannot be shown: {error}.") from None
        except (ArithmeticError, TypeError, ValueError) as error:
            raise TemplateProblem(part, None, f"it cannot be shown on the sample: {error}.") from None
        if part == "subject" and not " ".join(output.split()):
            raise TemplateProblem("subject", None, "it renders empty on the sample.")


def render(*, subject: str, body: str, data: dict[str, Any]) -> Rendered:
    """Both parts for one recipient. Errors propagate: the caller falls back to the type's default."""
    title = " ".join(_compiled(TEXT, subject).render(data).split())
    if len(title) > SUBJECT_MAX:
        title = title[: SUBJECT_MAX - 1].rstrip() + "…"
    text = _compiled(TEXT, body).render(data).strip()[:OUTPUT_MAX]
    html = Markup(_compiled(HTML, body).render(data).strip()[:OUTPUT_MAX])
    return Rendered(subject=title, text=text, html=Markup("<br>\n").join(html.split("\n")))


_PAGE = Markup(
    '<!doctype html><html><body style="margin:0;padding:24px;background:#f5f6f8;'
    'font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1f2430">'
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">'
    '<h2 style="margin:0 0 16px;font-size:18px">{heading}</h2>{content}'
    '<p style="margin:20px 0 0"><a href="{href}" style="background:#2563eb;color:#ffffff;padding:10px 16px;'
    'border-radius:6px;text-decoration:none">{button}</a></p>'
    '<p style="margin:24px 0 0;font-size:12px;color:#6b7280">{footer}</p></div></body></html>')


PREFERENCES_PATH = "/notifications?notifications_tab=Preferences"


def email_page(*, subject: str, content: Markup, link: str, footer: str, button: str = "Open in Nexus360") -> Markup:
    """An e-mail's HTML part: heading, content, a button to `link`, and why it was sent. Every text is
    escaped here; `content` is already safe (rendered with autoescape, or built with Markup.format)."""
    return _PAGE.format(heading=subject, content=content, href=link, button=button, footer=footer)


def paragraph(html: Markup) -> Markup:
    return Markup('<p style="margin:0;line-height:1.5">{}</p>').format(html)


def footer_text(reason: str, base_url: str) -> str:
    """Why the person gets an e-mail, and where they choose what they receive."""
    return f"You get this because {reason}. Choose what you receive: {base_url.rstrip('/')}{PREFERENCES_PATH}"


def html_escape(text: str) -> Markup:
    """Plain text for the HTML part (what no template wrote: a reason, a digest line)."""
    return escape(text)


@lru_cache(maxsize=512)
def _compiled(environment: SandboxedEnvironment, source: str):
    return environment.from_string(source)


def _check_part(part: str, source: str, paths: frozenset[str]) -> None:
    try:
        tree = STRICT.parse(source)
        context_names = meta.find_undeclared_variables(tree)  # compiles: an unknown filter fails here
    except TemplateSyntaxError as error:
        message = (error.message or "").rstrip(".")
        if message.startswith("No filter named"):
            message = f"{message}; use one of {', '.join(sorted(FILTERS - {'e', 'd'}))}"
        raise TemplateProblem(part, error.lineno, f"{message}.") from None
    roots = {path.split(".")[0] for path in paths}
    for name in sorted(context_names - roots):
        raise TemplateProblem(part, _first_line(tree, name), _unknown(name, paths))
    for node in tree.body:
        _check_statement(part, node)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        dotted = _dotted(node)
        if dotted is None:
            raise TemplateProblem(part, node.lineno, "only the listed variables can be read.")
        if dotted.split(".")[0] in context_names and dotted not in paths and not _prefix(dotted, paths):
            raise TemplateProblem(part, node.lineno, _unknown(dotted, paths))
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name in context_names and node.name not in paths \
                and not _is_attribute_root(tree, node):
            inside = sorted(path for path in paths if path.startswith(node.name + "."))
            raise TemplateProblem(part, node.lineno, f"{node.name} holds several values; use one of "
                                                     f"{', '.join(inside)}.")
    for node in tree.find_all(nodes.Filter):
        if node.name not in FILTERS:
            raise TemplateProblem(part, node.lineno, f"the filter {node.name} is not available; use one of "
                                                     f"{', '.join(sorted(FILTERS - {'e', 'd'}))}.")
    for node in tree.find_all(nodes.Call):
        raise TemplateProblem(part, node.lineno, "templates cannot call functions; use a filter instead.")


def _check_statement(part: str, node: nodes.Node) -> None:
    if isinstance(node, (nodes.TemplateData, *STATEMENTS)):
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Stmt):
                _check_statement(part, child)
        return
    raise TemplateProblem(part, node.lineno, "only {{ variables }}, {% if %}, {% for %} and {% set %} are "
                                             "allowed.")


def _dotted(node: nodes.Node) -> str | None:
    """`deal.title` for a chain of attribute reads (or constant string items) from a name; else None."""
    parts: list[str] = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
        else:
            return None
        node = node.node
    if not isinstance(node, nodes.Name) or any(part.startswith("_") for part in parts):
        return None
    return ".".join([node.name, *reversed(parts)])


def _prefix(dotted: str, paths: frozenset[str]) -> bool:
    """`deal` in `deal.title` is read on the way to a variable (the outer node is checked itself)."""
    return any(path.startswith(dotted + ".") for path in paths)


def _is_attribute_root(tree: nodes.Template, name: nodes.Name) -> bool:
    return any(_innermost(node) is name for node in tree.find_all((nodes.Getattr, nodes.Getitem)))


def _innermost(node: nodes.Node) -> nodes.Node:
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        node = node.node
    return node


def _first_line(tree: nodes.Template, name: str) -> int | None:
    return next((node.lineno for node in tree.find_all(nodes.Name) if node.name == name), None)


def _unknown(name: str, paths: frozenset[str]) -> str:
    return f"{{{{ {name} }}}} is not a variable of this message; the variables are {', '.join(sorted(paths))}."


def _line_of(error: TemplateError) -> int | None:
    return getattr(error, "lineno", None)


def iter_paths(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every leaf of nested data."""
    for key, value in data.items():
        if isinstance(value, dict):
            yield from iter_paths(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
