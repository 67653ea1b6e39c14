"""Templates: refused with the part and line when they would not render, sandboxed, escaped in the HTML part
only, editable by holders of notifications.manage without a deploy."""

from __future__ import annotations

import pytest

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.db import Database
from nexus360.db.engine import set_actor
from nexus360.notifications import service
from nexus360.notifications.events.schemas import CATALOG
from nexus360.notifications.templates import engine
from nexus360.notifications.templates import service as templates
from tests.crm.conftest import principal
from tests.notifications.conftest import MANAGER_ID, REP_ID

DEAL = CATALOG["deal_assigned"]


def check(body: str, subject: str = "A subject") -> None:
    engine.check(subject=subject, body=body, paths=DEAL.paths(), sample=DEAL.sample())


def test_every_default_template_renders_on_its_sample() -> None:
    for spec in CATALOG.values():
        check_spec = engine.render(subject=spec.subject, body=spec.body, data=spec.sample())
        engine.check(subject=spec.subject, body=spec.body, paths=spec.paths(), sample=spec.sample())
        assert check_spec.subject and check_spec.text and "None" not in check_spec.text


def test_an_unknown_variable_is_refused_with_its_line_and_the_variables_offered() -> None:
    with pytest.raises(engine.TemplateProblem) as problem:
        check("Hello,\n\n{{ deal.titel }} is yours.")
    assert (problem.value.part, problem.value.line) == ("body", 3)
    assert "deal.titel" in str(problem.value) and "deal.title" in str(problem.value)


def test_a_syntax_error_is_refused_with_its_line() -> None:
    with pytest.raises(engine.TemplateProblem, match=r"^Body, line 2: unexpected '}'"):
        check("Fine\n{{ deal.title }")
    with pytest.raises(engine.TemplateProblem, match=r"^Subject, line 1"):
        check("Fine", subject="{% if deal.title %}open")


@pytest.mark.parametrize("attempt", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ deal.__class__ }}",
    "{{ deal['__init__'] }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ range(99999999) }}",
    "{{ deal.title.upper() }}",
    "{{ deal|attr('__class__') }}",
    "{{ deal.title|safe }}",
    "{% autoescape false %}{{ deal.title }}{% endautoescape %}",
    "{% include '/etc/passwd' %}",
    "{% import 'x' as y %}",
    "{% macro boom() %}{% endmacro %}",
    "{{ 9 ** 9999999 }}",
    "{{ 'x' * 100000000 }}",
    "{{ deal }}",
    "{{ config }}",
], ids=lambda attempt: attempt[:30])
def test_sandbox_escapes_and_data_the_event_did_not_carry_are_refused(attempt: str) -> None:
    with pytest.raises(engine.TemplateProblem):
        check(attempt)


def test_the_sandbox_still_refuses_at_render_time() -> None:
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        engine.render(subject="x", body="{{ deal.__class__.__mro__ }}", data=DEAL.sample())


def test_data_is_escaped_in_the_html_part_and_plain_in_the_text_part() -> None:
    data = DEAL.sample()
    data["deal"]["title"] = '<script>alert("x")</script> & <b>Co</b>'
    rendered = engine.render(subject=DEAL.subject, body=DEAL.body, data=data)
    assert '<script>alert("x")</script> & <b>Co</b>' in rendered.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in rendered.html
    assert "<script>" not in rendered.html and "<br>" in rendered.html
    assert rendered.subject == 'New deal for you: <script>alert("x")</script> & <b>Co</b>'


def test_a_subject_is_one_line_and_never_longer_than_the_column() -> None:
    data = DEAL.sample()
    data["deal"]["title"] = "Long\ntitle " * 100
    rendered = engine.render(subject=DEAL.subject, body=DEAL.body, data=data)
    assert "\n" not in rendered.subject and engine.SUBJECT_MAX - 2 <= len(rendered.subject) <= engine.SUBJECT_MAX
    assert rendered.subject.endswith("…")


def test_saving_refuses_a_broken_template_and_changes_nothing(db) -> None:
    session, manager = db(Database.NOTIFICATIONS), principal(MANAGER_ID, "sales_manager")
    before = templates.get_template(session, manager, type="deal_assigned")
    with pytest.raises(ValidationError, match=r"Body, line 1: \{\{ deal.owner \}\} is not a variable"):
        templates.save_template(session, manager, type="deal_assigned", subject="New: {{ deal.title }}",
                                body="{{ deal.owner }}")
    assert templates.get_template(session, manager, type="deal_assigned") == before


def test_a_saved_template_is_what_the_next_notification_says_and_reset_brings_the_default(db) -> None:
    session, manager = db(Database.NOTIFICATIONS), principal(MANAGER_ID, "sales_manager")
    saved = templates.save_template(session, manager, type="deal_assigned", subject="Yours now: {{ deal.title }}",
                                    body="{{ actor.name }} says: {{ deal.title|upper }} ({{ reason }})")
    assert saved.customised and saved.updated_by == MANAGER_ID
    service.notify_event(session, principal(MANAGER_ID, "sales_manager"), type="deal_assigned",
                         recipients=[REP_ID], data={"deal": {"id": 1, "title": "Acme renewal"}}, key="test17:tpl")
    rep = principal(REP_ID, "sales_rep")
    set_actor(session, rep)
    newest = service.list_inbox(session, rep).items[0]
    assert newest.title == "Yours now: Acme renewal"
    assert newest.message.endswith("says: ACME RENEWAL (you own this deal now)")
    reset = templates.reset_template(session, manager, type="deal_assigned")
    assert not reset.customised and reset.subject == DEAL.subject


def test_preview_shows_the_sample_or_the_problem(db) -> None:
    session, manager = db(Database.NOTIFICATIONS), principal(MANAGER_ID, "sales_manager")
    shown = templates.preview(session, manager, type="deal_won", subject="Won {{ deal.title }}",
                              body="{{ deal.company }} <b>")
    assert shown.problem is None and shown.subject == "Won Nordwind Logistics: fleet renewal"
    assert shown.text == "Nordwind Logistics GmbH <b>" and "Nordwind Logistics GmbH <b>" in shown.html
    broken = templates.preview(session, manager, type="deal_won", subject="x", body="{{ nope }}")
    assert broken.problem.startswith("Body, line 1: {{ nope }} is not a variable")


def test_the_editor_lists_every_type_with_its_variables(db) -> None:
    session, manager = db(Database.NOTIFICATIONS), principal(MANAGER_ID, "sales_manager")
    listed = templates.list_templates(session, manager)
    assert {item.type for item in listed} == set(CATALOG)
    variables = {variable.path for variable in templates.get_template(session, manager, type="lead_handed").variables}
    assert {"lead.name", "lead.score", "deal.title", "actor.name", "reason", "link"} <= variables


def test_only_holders_of_notifications_manage_read_or_change_templates(db) -> None:
    session, rep = db(Database.NOTIFICATIONS), principal(REP_ID, "sales_rep")
    with pytest.raises(AuthorizationError):
        templates.list_templates(session, rep)
    with pytest.raises(AuthorizationError):
        templates.save_template(session, rep, type="deal_won", subject="x", body="y")
