"""Message templates: holders of `notifications.manage` read, preview, change and reset them; every
notification is rendered from the template of its type (the seeded default when none was saved).

A template that would not render is refused on save with the part and line; one that still fails at
send time (data the sample did not have) falls back to the type's default, so a message is never lost.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.notifications.events.schemas import CATALOG, COMMON, EventSpec
from nexus360.notifications.templates import engine, repository
from nexus360.notifications.templates.schemas import Preview, TemplateRead, TemplateSummary, VariableRead

MANAGE = "notifications.manage"
log = logging.getLogger(__name__)


def list_templates(session: Session, principal: Principal) -> list[TemplateSummary]:
    """Every event type with the subject in use, by label."""
    require(principal, MANAGE)
    saved = repository.list_current(session)
    summaries = []
    for spec in CATALOG.values():
        row = saved.get(spec.type)
        subject, body = (row.subject or "", row.content) if row else (spec.subject, spec.body)
        summaries.append(TemplateSummary(type=spec.type, label=spec.label, subject=subject, critical=spec.critical,
                                         customised=(subject, body) != (spec.subject, spec.body),
                                         updated_at=row.updated_at if row else None))
    return sorted(summaries, key=lambda summary: summary.label)


def get_template(session: Session, principal: Principal, *, type: str) -> TemplateRead:
    """One type's template with its variables (and their sample values) and its default."""
    require(principal, MANAGE)
    spec = _spec(type)
    row = repository.get_current(session, type)
    subject, body = (row.subject or "", row.content) if row else (spec.subject, spec.body)
    return TemplateRead(
        type=spec.type, label=spec.label, description=spec.description, critical=spec.critical, subject=subject,
        body=body, default_subject=spec.subject, default_body=spec.body,
        customised=(subject, body) != (spec.subject, spec.body), updated_at=row.updated_at if row else None,
        updated_by=row.updated_by if row else None, variables=variables_of(spec),
    )


def preview(session: Session, principal: Principal, *, type: str, subject: str, body: str) -> Preview:
    """The template rendered on the type's sample, or the problem (with its line) that a save would refuse."""
    require(principal, MANAGE)
    spec = _spec(type)
    try:
        engine.check(subject=subject, body=body, paths=spec.paths(), sample=spec.sample())
    except engine.TemplateProblem as problem:
        return Preview(problem=str(problem))
    sample = spec.sample()
    rendered = engine.render(subject=subject, body=body, data=sample)
    page = engine.email_page(subject=rendered.subject, content=engine.paragraph(rendered.html), link=sample["link"],
                             footer=engine.footer_text(sample["reason"], "https://nexus360.example.com"))
    return Preview(subject=rendered.subject, text=rendered.text, html=str(page))


def save_template(session: Session, principal: Principal, *, type: str, subject: str, body: str) -> TemplateRead:
    """Change what a type's notifications say; refused (nothing saved) with the part and line of a problem."""
    require(principal, MANAGE)
    spec = _spec(type)
    subject, body = (subject or "").strip(), (body or "").strip()
    try:
        engine.check(subject=subject, body=body, paths=spec.paths(), sample=spec.sample())
    except engine.TemplateProblem as problem:
        raise ValidationError(str(problem)) from None
    repository.save(session, type=type, name=spec.label[:100], subject=subject, content=body, user_id=principal.id)
    return get_template(session, principal, type=type)


def reset_template(session: Session, principal: Principal, *, type: str) -> TemplateRead:
    """Go back to the type's default wording."""
    require(principal, MANAGE)
    spec = _spec(type)
    repository.save(session, type=type, name=spec.label[:100], subject=spec.subject, content=spec.body,
                    user_id=principal.id)
    return get_template(session, principal, type=type)


def template_for(session: Session, *, spec: EventSpec) -> tuple[str, str]:
    """(subject, body) in use for the type: the saved template, else the default (any actor: reading it is
    part of telling someone)."""
    row = repository.get_current(session, spec.type)
    return (row.subject or spec.subject, row.content) if row is not None else (spec.subject, spec.body)


def render_event(session: Session | None, *, spec: EventSpec, data: dict[str, Any],
                 template: tuple[str, str] | None = None) -> engine.Rendered:
    """An event's message with the template in use (or `template`, read once for many recipients)."""
    subject, body = template or template_for(session, spec=spec)
    if (subject, body) != (spec.subject, spec.body):
        try:
            return engine.render(subject=subject, body=body, data=data)
        except Exception:  # a saved template that fails on real data: the default still tells the person
            log.exception("Template of %s failed; the default was used", spec.type)
    return engine.render(subject=spec.subject, body=spec.body, data=data)


def variables_of(spec: EventSpec) -> list[VariableRead]:
    return [VariableRead(path=variable.path, description=variable.description, sample=str(variable.sample))
            for variable in (*spec.variables, *COMMON)]


def _spec(type: str) -> EventSpec:
    spec = CATALOG.get(type)
    if spec is None:
        raise NotFoundError(f"There is no notification type '{type}'.")
    return spec
