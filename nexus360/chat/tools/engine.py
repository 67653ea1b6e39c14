"""Choosing data tools from the question alone, without a language model (the offline provider).

Only the asker's question decides: retrieved passages and tool results never choose a tool, so a
document that says "list every rep's commission" cannot start one. Names (people, deals, companies,
campaigns) are the capitalised words of the question, resolved by `tools.service.resolve_names`.
"""

from __future__ import annotations

import re

from nexus360.chat.tools.schemas import PlannedCall

PERSON, DEAL, COMPANY, CAMPAIGN = "person", "deal", "company", "campaign"

NOT_NAMES = frozenset({
    "i", "i'm", "i've", "what", "which", "how", "who", "when", "where", "why", "whose", "show", "list", "give",
    "tell", "is", "are", "can", "could", "do", "does", "did", "will", "would", "should", "please", "and", "or",
    "the", "a", "an", "my", "our", "me", "we", "us", "your", "you", "if", "for", "in", "on", "of", "to", "at",
    "by", "with", "from", "this", "that", "these", "those", "closed", "won", "lost", "prospecting",
    "qualification", "needs", "analysis", "proposal", "negotiation", "bant", "meddicc", "roi", "vp", "sla", "crm",
    "nexus360", "q1", "q2", "q3", "q4", "ok", "hi", "hello", "thanks", "commit", "best", "case", "pipeline",
    "forecast", "commission", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "emea", "americas", "apac", "usd", "eur"
})
_NAME = re.compile(r"\b([A-Z][\w&.-]*(?:\s+(?:[A-Z][\w&.-]*|of|de|and|&))*(?:\s+[A-Z][\w&.-]*)?)")

_DEFINITION = re.compile(r"difference|categor|how (is|are|do|does) (the|a|our)? ?forecasts? (built|made|work)|"
                         r"what (does|do|is) .*\bmean|defin|explain|polic|rule", re.I)
_MINE = re.compile(r"\b(my|mine|i|me|i'm|our|we|us)\b", re.I)


def extract_names(question: str) -> list[str]:
    """Capitalised words and phrases that may name a person, deal, company or campaign."""
    names: list[str] = []
    for match in _NAME.finditer(question or ""):
        words = [word for word in re.sub(r"'s\b", "", match.group(1)).split()]
        while words and words[0].lower().strip(".") in NOT_NAMES:
            words.pop(0)
        while words and words[-1].lower().strip(".") in NOT_NAMES | {"of", "de", "and", "&"}:
            words.pop()
        name = " ".join(words).strip(" .-")
        if len(name) >= 2 and name.lower() not in NOT_NAMES:
            names.append(name)
    return list(dict.fromkeys(names))


def scope_of(question: str) -> str:
    text = question.lower()
    if re.search(r"\bteam'?s?\b|\breports\b", text):
        return "team"
    if re.search(r"\b(everyone|everybody|all reps|all sellers|whole company|company-wide|company wide)\b", text):
        return "everyone"
    return "mine"


def period_of(question: str) -> str | None:
    match = re.search(r"\b(20\d\d)[- ]?(q[1-4]|\d{2})\b", question.lower())
    if match:
        return f"{match.group(1)}-{match.group(2).upper()}"
    match = re.search(r"\b(q[1-4])\s*(20\d\d)\b", question.lower())
    return f"{match.group(2)}-{match.group(1).upper()}" if match else None


def plan(question: str, entities: dict[str, str]) -> list[PlannedCall]:
    """The tools a question asks for, by intent: what a person asking it expects to see."""
    text = (question or "").lower()
    named = lambda kind: [name for name, found in entities.items() if found == kind]  # noqa: E731
    people, deals, companies, campaigns = named(PERSON), named(DEAL), named(COMPANY), named(CAMPAIGN)
    scope = scope_of(question)
    data_question = bool(_MINE.search(text) or people or deals or companies or scope != "mine"
                         or re.search(r"\b(show|list|which|how much|how many)\b", text))
    calls: list[PlannedCall] = []
    money = re.search(r"commission|\bearn|payout|\bstatement|\bbonus|get paid|\bpaid\b", text)
    if money and re.search(r"\bif\b.*\b(close|closes|closed|win|wins|won|sign|signs|signed)\b|what[- ]if", text):
        calls.append(PlannedCall("commission_what_if", {"deals": deals + companies}))
    elif money and (data_question or people):
        arguments: dict[str, str] = {"person": people[0]} if people else {}
        if period := period_of(question):
            arguments["period"] = period
        calls.append(PlannedCall("commission_statement", arguments))
    if re.search(r"slipp|overdue|past (its|their|the) close|missed (its|their|the) close|late deals", text):
        calls.append(PlannedCall("list_deals", {"scope": scope, "which": "slipped"}))
    elif re.search(r"clos(e|es|ing)\b.*\bthis (month|quarter)|due this (month|quarter)", text) and not money:
        which = "closing_this_quarter" if "quarter" in text else "closing_this_month"
        calls.append(PlannedCall("list_deals", {"scope": scope, "which": which}))
    elif re.search(r"\b(my|our|team'?s?) (open )?deals\b|deals do (i|we) have", text) and not money:
        calls.append(PlannedCall("list_deals", {"scope": scope, "which": "open"}))
    if re.search(r"pipeline", text) and data_question and not _DEFINITION.search(text):
        calls.append(PlannedCall("pipeline_by_stage", {"scope": scope}))
    if re.search(r"\broi\b|return on|campaign (performance|results)|cost per|best campaign", text):
        calls.append(PlannedCall("campaign_roi", {"campaign": campaigns[0]} if campaigns else {}))
    elif re.search(r"\bleads?\b", text) and (campaigns or re.search(r"\bcampaigns?\b|\bper campaign", text)) \
            and not _DEFINITION.search(text):
        calls.append(PlannedCall("leads_by_campaign", {"campaign": campaigns[0]} if campaigns else {}))
    if re.search(r"\bforecast", text) and not _DEFINITION.search(text) and data_question:
        calls.append(PlannedCall("forecast", {"period": period_of(question)} if period_of(question) else {}))
    if not calls and not money:
        calls += [PlannedCall("find_deal", {"name": name}) for name in deals[:2]]
        calls += [PlannedCall("find_company", {"name": name}) for name in companies[:2] if name not in deals]
    return calls
