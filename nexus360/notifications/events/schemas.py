"""The event catalogue: every kind of notification, what its data carries, its default message and channels.

Flows tell people of an event with one call, `notifications.service.notify_event(..., type=..., data=...)`.
The type names an entry here: its variables are what a template may use (and all that the template can
reach), its sample is what the template editor previews with, its default subject and body are seeded as
its template, its link (a deep link, docs/architecture.md "Deep links") is filled from the data, and its
reason says why a person got it unless the flow gives a better one ("you manage Emily Chen").

Critical types cannot be turned off: in-app and e-mail are always on, and quiet hours do not hold them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Variable:
    path: str  # as a template writes it: deal.title
    description: str
    sample: Any


@dataclass(frozen=True)
class EventSpec:
    type: str
    label: str  # as people read it in preferences and the template list
    description: str  # when it is sent, and to whom
    variables: tuple[Variable, ...]
    subject: str
    body: str
    reason: str  # why the recipient got it, unless the flow says better
    link: str  # str.format over the data: "/crm?crm_tab=Deals&deal={deal[id]}"; "" for none
    audience: str = "chat.use"  # the permission of those it can concern (whose preferences list it)
    icon: str = "notifications"  # a Material icon name
    critical: bool = False
    email: bool = False  # e-mail at once by default
    hidden: dict[str, Any] = field(default_factory=dict)  # sample values the link needs but templates don't see

    def sample(self) -> dict[str, Any]:
        """The data of a typical event of this type, nested as the templates read it."""
        data: dict[str, Any] = {key: dict(value) if isinstance(value, dict) else value
                                for key, value in self.hidden.items()}
        for variable in (*self.variables, *COMMON):
            *parents, leaf = variable.path.split(".")
            node = data
            for parent in parents:
                node = node.setdefault(parent, {})
            node.setdefault(leaf, variable.sample)
        return data

    def paths(self) -> frozenset[str]:
        """Every variable path a template of this type may read."""
        return frozenset(variable.path for variable in (*self.variables, *COMMON))


# What every event carries besides its own data.
COMMON = (
    Variable("actor.name", "Who did it", "Sophie Lambert"),
    Variable("reason", "Why this person gets it", "you own this deal"),
    Variable("link", "The address that opens the record", "https://nexus360.example.com/crm?crm_tab=Deals&deal=2006"),
)

_DEAL = (
    Variable("deal.title", "The deal's title", "Nordwind Logistics: fleet renewal"),
    Variable("deal.company", "The company's name", "Nordwind Logistics GmbH"),
    Variable("deal.amount", "The deal's amount", "$48,500"),
    Variable("deal.stage", "The deal's stage", "Negotiation"),
    Variable("deal.close_date", "The expected close date", "30 Sep 2026"),
)
_DEAL_LINK = "/crm?crm_tab=Deals&deal={deal[id]}"
_PERIOD = Variable("period.label", "The period, as people read it", "Q3 2026")
# Deep links as docs/architecture.md "Deep links" has them (ui/compensation/links.py builds the same addresses).
_OWN_STATEMENT = "/commissions?period={period[code]}"
_TEAM_STATEMENT = "/commissions?period={period[code]}&user={rep[id]}"
_STATEMENT_HIDDEN = {"period": {"code": "2026-Q3"}, "rep": {"id": 7}}
_DEAL_HIDDEN = {"deal": {"id": 2006}}


def _spec(type: str, label: str, description: str, variables: tuple[Variable, ...], subject: str, body: str,
          reason: str, link: str, **options: Any) -> EventSpec:
    return EventSpec(type, label, description, variables, subject, body, reason, link, **options)


CATALOG: dict[str, EventSpec] = {spec.type: spec for spec in (
    _spec("deal_assigned", "A deal is assigned to you", "Someone else makes you the owner of a deal.", _DEAL,
          "New deal for you: {{ deal.title }}",
          "{{ actor.name }} made you the owner of {{ deal.title }} with {{ deal.company }}.\n"
          "{{ deal.amount }} · {{ deal.stage }} · expected to close {{ deal.close_date }}.",
          "you own this deal now", _DEAL_LINK, audience="crm.write", icon="handshake", email=True, hidden=_DEAL_HIDDEN),
    _spec("deal_won", "Your deal is won", "Someone else moves a deal you own to a won stage.", _DEAL,
          "Won: {{ deal.title }}",
          "{{ actor.name }} marked your deal {{ deal.title }} with {{ deal.company }} as won ({{ deal.amount }}).",
          "you own this deal", _DEAL_LINK, audience="crm.write", icon="emoji_events", hidden=_DEAL_HIDDEN),
    _spec("deal_lost", "Your deal is lost", "Someone else moves a deal you own to a lost stage.", _DEAL,
          "Lost: {{ deal.title }}",
          "{{ actor.name }} marked your deal {{ deal.title }} with {{ deal.company }} as lost ({{ deal.amount }}).",
          "you own this deal", _DEAL_LINK, audience="crm.write", icon="heart_broken", hidden=_DEAL_HIDDEN),
    _spec("deal_slipping", "Your deal slips past its close date",
          "Daily: an open deal you own passed its expected close date.",
          (*_DEAL, Variable("deal.days_overdue", "How long ago it was due", "3 days")),
          "{{ deal.title }} is past its close date",
          "Your deal {{ deal.title }} with {{ deal.company }} ({{ deal.amount }}, {{ deal.stage }}) was expected "
          "to close on {{ deal.close_date }}, {{ deal.days_overdue }} ago.\nMove its close date or its stage.",
          "you own this deal", _DEAL_LINK, audience="crm.write", icon="event_busy", hidden=_DEAL_HIDDEN),
    _spec("lead_handed", "A lead is handed to you", "Marketing hands a lead to you as a new deal.", (
        Variable("lead.name", "The lead's name", "Emma Fischer"),
        Variable("lead.email", "The lead's e-mail", "emma.fischer@nordwind.example"),
        Variable("lead.company", "The lead's company", "Nordwind Logistics GmbH"),
        Variable("lead.score", "The lead's score", 82),
        Variable("deal.title", "The deal it became", "Nordwind Logistics: Emma Fischer"),
        Variable("deal.amount", "The deal's amount", "$12,000"),
    ), "{{ actor.name }} handed you {{ lead.name }}",
        "{{ lead.name }} ({{ lead.company }}, score {{ lead.score }}) is now your deal {{ deal.title }}.\n"
        "Please make first contact within one business day.",
        "the lead was handed to you", _DEAL_LINK,
          audience="crm.write", icon="campaign", email=True, hidden=_DEAL_HIDDEN),
    _spec("statement_submitted", "Statements await your approval",
          "A period's commission statements are submitted for approval (to those who approve).", (
              _PERIOD, Variable("statements.count", "How many statements", 7)),
          "{{ period.label }}: {{ statements.count }} commission statement{{ 's' if statements.count != 1 }} "
          "to approve",
          "{{ actor.name }} submitted {{ statements.count }} commission statement{{ 's' if statements.count != 1 }}"
          " of {{ period.label }} for approval.",
          "you approve commission statements", "/commissions?commissions_tab=Team",
          audience="commissions.manage", icon="pending_actions", email=True, hidden={"period": {"code": "2026-Q3"}}),
    _spec("statement_approved", "Your statement is approved", "A manager approves your commission statement.", (
        _PERIOD, Variable("statement.commission", "The commission", "$4,210.50"),
        Variable("comment", "The manager's comment (may be empty)", "Great quarter."),
    ), "Your {{ period.label }} commission statement is approved",
        "{{ actor.name }} approved your {{ period.label }} statement: {{ statement.commission }} commission."
        "{% if comment %}\nComment: {{ comment }}{% endif %}",
        "this is your commission statement", _OWN_STATEMENT,
          audience="commissions.read_own", icon="payments", email=True,
        hidden=_STATEMENT_HIDDEN),
    _spec("statement_sent_back", "Your statement is sent back",
          "A manager returns your statement to draft with a comment.", (
              _PERIOD, Variable("comment", "Why it was sent back", "The Q3 renewal of Acme is counted twice.")),
          "Your {{ period.label }} commission statement was sent back",
          "{{ actor.name }} sent your {{ period.label }} statement back for review:\n{{ comment }}",
          "this is your commission statement", _OWN_STATEMENT,
          audience="commissions.read_own", icon="undo", critical=True, email=True,
          hidden=_STATEMENT_HIDDEN),
    _spec("statement_paid", "Your commission is paid", "An approved statement is marked paid.", (
        _PERIOD, Variable("statement.commission", "The commission", "$4,210.50")),
        "Your {{ period.label }} commission is paid",
        "Your {{ period.label }} commission of {{ statement.commission }} has been paid.",
        "this is your commission statement", _OWN_STATEMENT,
          audience="commissions.read_own", icon="paid", email=True, hidden=_STATEMENT_HIDDEN),
    _spec("statement_adjusted", "Your statement is adjusted", "A manager adds an adjustment to a locked statement.", (
        _PERIOD, Variable("adjustment.amount", "The adjustment, signed", "+$350"),
        Variable("adjustment.reason", "Why", "Late-booked renewal of Acme"),
    ), "Your {{ period.label }} commission statement was adjusted",
        "{{ actor.name }} added an adjustment of {{ adjustment.amount }}: {{ adjustment.reason }}",
        "this is your commission statement", _OWN_STATEMENT,
          audience="commissions.read_own", icon="tune", email=True, hidden=_STATEMENT_HIDDEN),
    _spec("dispute_opened", "A rep disputes a commission line",
          "A rep disputes a line of their statement (to those who approve).", (
              _PERIOD, Variable("rep.name", "The rep", "Emily Chen"),
              Variable("line.description", "The disputed line", "Nordwind Logistics: fleet renewal"),
              Variable("comment", "What the rep says", "The amount should be $52,000."),
          ), "{{ rep.name }} disputes a {{ period.label }} commission line",
          "{{ rep.name }} disputes the line {{ line.description }} of their {{ period.label }} statement:\n"
          "{{ comment }}",
          "you approve commission statements", _TEAM_STATEMENT,
          audience="commissions.manage", icon="gavel", email=True, hidden=_STATEMENT_HIDDEN),
    _spec("dispute_answered", "Your dispute is answered", "A manager accepts or rejects your dispute.", (
        _PERIOD, Variable("verdict", "accepted or rejected", "accepted"),
        Variable("answer", "The manager's answer", "Right, an adjustment follows."),
    ), "Your {{ period.label }} commission dispute was {{ verdict }}",
        "{{ actor.name }} {{ verdict }} your dispute:\n{{ answer }}",
        "you opened this dispute", _OWN_STATEMENT,
          audience="commissions.read_own", icon="gavel", email=True, hidden=_STATEMENT_HIDDEN),
    _spec("forecast_submitted", "A forecast call is submitted", "A rep (or team) you manage submits a call.", (
        _PERIOD, Variable("rep.name", "Who called", "Emily Chen"),
        Variable("forecast.amount", "The call", "$310,000"),
        Variable("forecast.whose", "their, or their team's", "their"),
        Variable("note", "The note with the call (may be empty)", "Two renewals close in the last week."),
    ), "{{ rep.name }} submitted a {{ period.label }} call",
        "{{ rep.name }} submitted {{ forecast.whose }} {{ period.label }} call: {{ forecast.amount }}."
        "{% if note %} Note: {{ note }}{% endif %}",
        "you manage this rep", "/forecasts", audience="forecasts.manage", icon="trending_up",
        hidden={"period": {"code": "2026-Q3"}}),
    _spec("forecast_adjusted", "Your forecast call is adjusted", "Your manager adjusts your forecast call.", (
        _PERIOD, Variable("forecast.amount", "The adjusted call", "$280,000"),
        Variable("note", "Why it was adjusted", "Acme slips to Q4."),
    ), "Your {{ period.label }} call was adjusted",
        "{{ actor.name }} adjusted your {{ period.label }} call to {{ forecast.amount }}: {{ note }}",
        "this is your forecast call", "/forecasts", audience="forecasts.read", icon="trending_down", email=True,
        hidden={"period": {"code": "2026-Q3"}}),
    _spec("integration_failing", "An integration is failing", "An integration run fails (to administrators).", (
        Variable("integration.name", "The integration", "Microsoft Graph directory sync"),
        Variable("integration.error", "What went wrong", "Microsoft Graph returned 401 Unauthorized."),
    ), "{{ integration.name }} is failing",
        "{{ integration.name }} failed:\n{{ integration.error }}",
        "you administer integrations", "/integrations",
          audience="integrations.manage", icon="sync_problem", critical=True, email=True),
    _spec("knowledge_added", "A knowledge article for your role",
          "An article is added to the assistant's knowledge base for your role.", (
              Variable("article.title", "The article's title", "Discount approval policy"),
              Variable("article.audience", "Who it is for", "sales reps and sales managers"),
          ), "New in the knowledge base: {{ article.title }}",
          "{{ actor.name }} added {{ article.title }} to the knowledge base, for {{ article.audience }}.\n"
          "Ask the assistant about it.",
          "it is written for your role", "/chat", audience="chat.use", icon="menu_book"),
)}

GENERAL_ICON = "notifications"  # notifications of other types (a welcome, a broadcast, older rows)


def spec_for(type: str) -> EventSpec:
    """The catalogue entry of `type` (KeyError for a type that is not one: a programming error)."""
    return CATALOG[type]


def link_for(spec: EventSpec, data: dict[str, Any]) -> str | None:
    """The deep link of an event, filled from its data (None when the data lacks what the link needs)."""
    if not spec.link:
        return None
    try:
        return spec.link.format_map(data).replace(" ", "%20")
    except (KeyError, IndexError, TypeError):
        return None
