"""The data tools the assistant may call: names, what they do, their parameters (JSON Schema).

Every tool only reads, and runs as the signed-in user through the owning domain's service, so it
returns what that user may see and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCOPE = {"type": "string", "enum": ["mine", "team", "everyone"],
         "description": "Whose deals: the asker's own (default), their team's, or everyone's."}
NAME = {"type": "string", "description": "The name, or part of it, as the user wrote it."}


@dataclass(frozen=True)
class ToolSpec:
    name: str
    label: str
    description: str
    parameters: dict[str, Any]

    def openai(self) -> dict[str, Any]:
        """The tool as OpenAI's chat protocol declares a function."""
        return {"type": "function", "function": {
            "name": self.name, "description": self.description,
            "parameters": {"type": "object", "properties": self.parameters, "additionalProperties": False},
        }}


TOOLS: dict[str, ToolSpec] = {spec.name: spec for spec in (
    ToolSpec("pipeline_by_stage", "Pipeline by stage",
             "Open deals per pipeline stage: how many and their total amount.", {"scope": SCOPE}),
    ToolSpec("list_deals", "Deals",
             "Open deals: those closing this month or quarter, those that slipped (close date passed while "
             "still open) or all open ones.",
             {"scope": SCOPE, "which": {"type": "string",
                                        "enum": ["closing_this_month", "closing_this_quarter", "slipped", "open"]}}),
    ToolSpec("find_deal", "Deal by name", "Deals whose title or company matches a name: stage, amount, close "
             "date and owner.", {"name": NAME}),
    ToolSpec("find_company", "Company by name", "A company and its deals.", {"name": NAME}),
    ToolSpec("commission_statement", "Commission statement",
             "A commission statement with its lines. Without `person`, the asker's own; another person's only "
             "for those allowed to read every rep's commissions.",
             {"person": {"type": "string", "description": "Whose statement (a name); leave out for the asker."},
              "period": {"type": "string", "description": "A quarter like 2026-Q3 or a month like 2026-07; "
                                                          "leave out for the latest."}}),
    ToolSpec("commission_what_if", "Commission what-if",
             "The asker's commission this quarter if some of their open deals were won today.",
             {"deals": {"type": "array", "items": {"type": "string"},
                        "description": "Names of the asker's open deals."}}),
    ToolSpec("campaign_roi", "Campaign ROI", "Per campaign: budget, leads, conversions, pipeline, won revenue "
             "and ROI.", {"campaign": {**NAME, "description": "A campaign name; leave out for all."}}),
    ToolSpec("leads_by_campaign", "Leads by campaign", "Lead counts per campaign and status, and the "
             "best-scored leads of one campaign.", {"campaign": {**NAME, "description": "A campaign name."}}),
    ToolSpec("forecast", "Forecast", "The sales forecast of a quarter (commit, best case, weighted pipeline).",
             {"period": {"type": "string", "description": "A quarter like 2026-Q3; leave out for this one."}}),
)}


def openai_tools() -> list[dict[str, Any]]:
    return [spec.openai() for spec in TOOLS.values()]


@dataclass(frozen=True)
class PlannedCall:
    name: str
    arguments: dict[str, Any]
