"""`python -m nexus360 kb …` and `ask`: the knowledge base and the assistant from the command line.

Registered in cli/__init__.py (one line each). Commands act as a user (`--as EMAIL`, default the first active
administrator), so the same permissions and audience rules apply as on the page.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from nexus360.cli.common import acting_user as _principal
from nexus360.cli.common import friendly_errors
from nexus360.common.errors import ValidationError
from nexus360.config import get_settings
from nexus360.db import Database, session_scope


def _roles(text: str | None) -> list[str]:
    from nexus360.chat.knowledge.schemas import AUDIENCE_ROLES

    roles = [part.strip() for part in (text or "").split(",") if part.strip()]
    unknown = [role for role in roles if role not in AUDIENCE_ROLES]
    if unknown:
        raise ValidationError(f"--audience: unknown role {', '.join(unknown)}; use {', '.join(AUDIENCE_ROLES)}.")
    return roles


@click.group()
def kb() -> None:
    """The assistant's knowledge base: add files, search, re-embed."""


@kb.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--audience", metavar="ROLE,…", help="Only these roles (and administrators) may read it.")
@click.option("--title", help="The article's title (one file only; default: its first heading or file name).")
@click.option("--as", "as_email", metavar="EMAIL", help="Act as this user (default: the first active admin).")
@friendly_errors
def kb_add(files: tuple[Path, ...], audience: str | None, title: str | None, as_email: str | None) -> None:
    """Add Markdown, text, PDF or Word FILES as articles; prints one JSON line per file."""
    from nexus360.chat import client
    from nexus360.chat.knowledge import flows

    if title and len(files) > 1:
        raise ValidationError("--title applies to one file only.")
    roles, principal, embedder = _roles(audience), _principal(as_email), client.embedder(get_settings())
    for file in files:
        if not file.is_file():
            raise ValidationError(f"{file}: no such file.")
        article_id = flows.add_document(principal, filename=file.name, data=file.read_bytes(), embedder=embedder,
                                        audience=roles, title=title)
        click.echo(json.dumps({"file": str(file), "article": article_id}))


@kb.command("search")
@click.argument("query")
@click.option("--as", "as_email", metavar="EMAIL", required=True, help="Search as this user (their audience).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (the default prints one line each).")
@friendly_errors
def kb_search(query: str, as_email: str, limit: int, as_json: bool) -> None:
    """The passages that best answer QUERY under that user's audience, best first."""
    from nexus360.chat.answers import flows

    hits, _note = flows.search_passages(_principal(as_email), query=query, limit=limit)
    found = [{"id": hit.id, "article": hit.article_id, "title": hit.title, "score": round(hit.score, 6)}
             for hit in hits]
    if as_json:
        click.echo(json.dumps(found))
        return
    for hit, item in zip(hits, found, strict=True):
        click.echo(f"{item['score']:.4f}  {hit.title}{' › ' + hit.heading if hit.heading else ''}  (passage {hit.id})")


@kb.command("reembed")
@click.option("--as", "as_email", metavar="EMAIL", help="Act as this user (default: the first active admin).")
@friendly_errors
def kb_reembed(as_email: str | None) -> None:
    """Split articles that have no passages and embed every passage the current model has not embedded."""
    from nexus360.chat import client
    from nexus360.chat.knowledge import service

    principal = _principal(as_email)
    with session_scope(Database.CHAT, actor=principal) as session:
        result = service.reembed(session, principal, embedder=client.embedder(get_settings()))
    click.echo(json.dumps(result.model_dump()))


@click.command("ask")
@click.argument("question")
@click.option("--as", "as_email", metavar="EMAIL", required=True, help="Ask as this user.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer, its citations and tools as JSON.")
@friendly_errors
def ask(question: str, as_email: str, as_json: bool) -> None:
    """Ask the assistant QUESTION as a user: prints the answer with its citations and the tools it used."""
    from nexus360.chat.answers import flows

    stream = flows.ask(_principal(as_email), question=question)
    if as_json:
        answer = stream.collect()
        click.echo(json.dumps({
            "conversation": answer.conversation_id, "answer": answer.text, "model": answer.model,
            "tokens": answer.tokens, "notice": answer.notice,
            "citations": [citation.model_dump() for citation in answer.citations],
            "tools": [run.model_dump() for run in answer.tool_runs],
        }, default=str))
        return
    for chunk in stream:
        click.echo(chunk, nl=False)
    answer = stream.answer
    click.echo("")
    for citation in answer.citations:
        where = f"{citation.title} › {citation.heading}" if citation.heading else citation.title
        click.echo(f"[{citation.number}] {where}")
    for run in answer.tool_runs:
        click.echo(f"tool {run.tool} {json.dumps(run.parameters)}: {run.reason if run.refused else run.summary}")


@click.command("assistant")
@click.option("--passages", default=100_000, show_default=True, type=click.IntRange(0, 2_000_000),
              help="Synthetic passages for the speed part (0: quality only).")
@click.option("--runs", default=200, show_default=True, type=click.IntRange(10, 10_000), help="Timed searches.")
@friendly_errors
def bench_assistant(passages: int, runs: int) -> None:
    """Retrieval quality on the golden set (full text, vectors, fusion) and search speed at scale (JSON)."""
    from nexus360.bench.assistant import run_bench

    click.echo(json.dumps(run_bench(passages=passages, runs=runs, progress=lambda m: click.echo(m, err=True)),
                          indent=2))
