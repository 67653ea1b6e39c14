"""The data tools: each calls the owning domain's service as the signed-in user, read-only.

This is the chat domain's only door to other domains (crm, compensation, marketing, auth, and the
forecasting adapter), so when their services move only this module changes. Every tool opens its own
read-only transactions with the asker as actor: the services check the asker's permissions and
row-level security applies. A refusal becomes a ToolRun that says why (and is audited); the data is
never fetched. Figures are returned as rows (`columns`/`rows`) with a one-sentence summary.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from nexus360.auth.audit import service as audit
from nexus360.auth.schemas import Principal
from nexus360.auth.users import service as people
from nexus360.chat.schemas import ToolRun
from nexus360.chat.tools.engine import CAMPAIGN, COMPANY, DEAL, PERSON
from nexus360.chat.tools.schemas import TOOLS
from nexus360.common.errors import AuthorizationError, Nexus360Error
from nexus360.common.money import money_exact
from nexus360.common.periods import Period, month_of, parse_period, quarter_of, today_utc
from nexus360.compensation import engine
from nexus360.compensation import flows as compensation_flows
from nexus360.compensation.statements import service as compensation_service
from nexus360.compensation.summaries import service as compensation_summaries
from nexus360.crm import service as crm_service
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealFilters
from nexus360.db import Database, session_scope
from nexus360.forecasting import flows as forecasting_flows
from nexus360.marketing import flows as marketing_flows
from nexus360.marketing.campaigns import service as marketing_campaigns
from nexus360.marketing.leads import service as marketing_leads
from nexus360.marketing.schemas import RoiFilters

ROW_LIMIT = 25
WHY = {
    "commissions.read_all": "only people who may read every rep's commissions (sales managers) can see another "
                            "person's statement; you can ask about your own",
    "commissions.read_own": "your role does not include commission statements",
    "commissions.read_own or commissions.read_all": "your role does not include commission statements",
    "crm.read": "your role cannot read the CRM (deals, companies, pipeline)",
    "marketing.read": "your role cannot read campaigns and leads",
    "forecasts.read": "your role cannot read forecasts",
}


class Refused(Nexus360Error):
    """A tool that will not run for this asker; the message says why."""


def run_tool(principal: Principal, name: str, arguments: dict[str, Any]) -> ToolRun:
    """Run one tool as `principal`: its figures, or a refusal that says why (never the data)."""
    spec = TOOLS.get(name)
    if spec is None:
        return ToolRun(tool=name, label=name, parameters=arguments, refused=True, reason="there is no such tool")
    arguments = {key: value for key, value in (arguments or {}).items() if key in spec.parameters}
    run = ToolRun(tool=name, label=spec.label, parameters=arguments)
    try:
        summary, columns, rows = _RUNNERS[name](principal, **arguments)
    except AuthorizationError as error:
        _audit_refusal(principal, error.permission, name)
        reason = WHY.get(error.permission, f"the '{error.permission}' permission is needed")
        return run.model_copy(update={"refused": True, "reason": f"I can't show this: {reason}."})
    except Refused as error:
        return run.model_copy(update={"refused": True, "reason": str(error)})
    except (TypeError, ValueError):
        return run.model_copy(update={"refused": True, "reason": "the tool was called with parameters it does "
                                                                 "not take"})
    except Nexus360Error as error:
        return run.model_copy(update={"reason": str(error)})
    return run.model_copy(update={"summary": summary, "columns": columns, "rows": rows[:ROW_LIMIT]})


def resolve_names(principal: Principal, names: list[str]) -> dict[str, str]:
    """What each name in a question is: a person, deal, company or campaign the asker may see (else left out)."""
    found: dict[str, str] = {}
    if not names:
        return found
    with session_scope(Database.AUTH, actor=principal) as auth:
        everyone = people.list_people(auth, principal, active_only=False)
    for name in names:
        if _person(everyone, name):
            found[name] = PERSON
    rest = [name for name in names if name not in found]
    if rest and principal.has("crm.read"):
        with session_scope(Database.CRM, actor=principal) as crm:
            for name in rest:
                if _page_rows(deal_service.list_deals(crm, principal, filters=DealFilters(search=name), limit=1)):
                    found[name] = DEAL
                elif _page_rows(crm_service.list_companies(crm, principal, search=name, limit=1)):
                    found[name] = COMPANY
    rest = [name for name in names if name not in found]
    if rest and principal.has("marketing.read"):
        with session_scope(Database.MARKETING, actor=principal) as marketing:
            for name in rest:
                if _page_rows(marketing_campaigns.list_campaigns(marketing, principal, search=name, limit=1)):
                    found[name] = CAMPAIGN
    return found


# --- CRM ---------------------------------------------------------------------------------------------


def _owner_ids(principal: Principal, scope: str) -> tuple[int, ...]:
    if scope == "everyone":
        return ()
    if scope == "team":
        with session_scope(Database.AUTH, actor=principal) as auth:
            return tuple(people.list_team_member_ids(auth, principal, manager_id=principal.id))
    return (principal.id,)


def _scope_words(scope: str) -> str:
    return {"mine": "your", "team": "your team's", "everyone": "everyone's"}.get(scope, "your")


def pipeline_by_stage(principal: Principal, scope: str = "mine") -> tuple[str, list[str], list[list]]:
    with session_scope(Database.CRM, actor=principal) as crm:
        board = deal_service.get_board(crm, principal, owner_ids=_owner_ids(principal, scope))
    rows = [[row.stage, int(row.deals), _money(row.amount)] for row in board.itertuples()]
    total = sum(Decimal(str(row.amount or 0)) for row in board.itertuples())
    deals = int(board["deals"].sum()) if len(board) else 0
    summary = f"{_scope_words(scope).capitalize()} open pipeline: {deals:,} deals worth {_money(total)}."
    return summary, ["Stage", "Deals", "Amount"], rows


def list_deals(principal: Principal, scope: str = "mine", which: str = "open") -> tuple[str, list[str], list[list]]:
    today = today_utc()
    month, quarter = month_of(today), quarter_of(today)
    filters = {
        "closing_this_month": {"close_from": today, "close_to": month.end},
        "closing_this_quarter": {"close_from": today, "close_to": quarter.end},
        "slipped": {"close_from": month.start, "close_to": today - timedelta(days=1)},
        "open": {},
    }.get(which)
    if filters is None:
        raise Refused(f"'{which}' is not a kind of deal list this tool knows")
    owners = _owner_ids(principal, scope)
    with session_scope(Database.CRM, actor=principal) as crm:
        page = deal_service.list_deals(crm, principal, limit=ROW_LIMIT,
                                       filters=DealFilters(owner_ids=owners, open_only=True, **filters))
    rows = _page_rows(page)
    names = _names(principal, {row["owner_id"] for row in rows})
    table = [[row["title"], row["company"], row["stage"], _money(row["amount"]), _day(row["close_date"]),
              names.get(row["owner_id"], "a former user")] for row in rows]
    words = {"closing_this_month": f"closing by the end of {month.label}",
             "closing_this_quarter": f"closing by the end of {quarter.label}",
             "slipped": f"whose close date passed this month ({month.label}) while still open",
             "open": "that are open"}[which]
    more = " (the first 25 shown)" if page.next_after else ""
    count = f"{len(rows):,} of" if rows else "None of"
    summary = f"{count} {_scope_words(scope)} deals {words}{more}."
    return summary, ["Deal", "Company", "Stage", "Amount", "Close date", "Owner"], table


def find_deal(principal: Principal, name: str = "") -> tuple[str, list[str], list[list]]:
    if not name.strip():
        raise Refused("name the deal or its company")
    with session_scope(Database.CRM, actor=principal) as crm:
        rows = _page_rows(deal_service.list_deals(crm, principal, filters=DealFilters(search=name.strip()), limit=10))
    names = _names(principal, {row["owner_id"] for row in rows})
    table = [[row["title"], row["company"], row["stage"], _money(row["amount"]), _day(row["close_date"]),
              names.get(row["owner_id"], "a former user")] for row in rows]
    summary = f"{len(rows)} deal(s) match '{name}'." if rows else f"No deal matches '{name}'."
    return summary, ["Deal", "Company", "Stage", "Amount", "Close date", "Owner"], table


def find_company(principal: Principal, name: str = "") -> tuple[str, list[str], list[list]]:
    if not name.strip():
        raise Refused("name the company")
    with session_scope(Database.CRM, actor=principal) as crm:
        companies = _page_rows(crm_service.list_companies(crm, principal, search=name.strip(), limit=3))
        if not companies:
            return f"No company matches '{name}'.", [], []
        company = companies[0]
        deals = _page_rows(deal_service.list_deals(crm, principal, filters=DealFilters(company_id=company["id"]),
                                                   limit=ROW_LIMIT))
    table = [[row["title"], row["stage"], _money(row["amount"]), _day(row["close_date"])] for row in deals]
    where = ", ".join(str(part) for part in (company.get("industry"), company.get("country")) if part)
    summary = f"{company['name']}{f' ({where})' if where else ''} has {len(deals)} deal(s)."
    return summary, ["Deal", "Stage", "Amount", "Close date"], table


# --- commissions -------------------------------------------------------------------------------------


def commission_statement(principal: Principal, person: str | None = None,
                         period: str | None = None) -> tuple[str, list[str], list[list]]:
    user_id, who = principal.id, "Your"
    if person and person.strip():
        with session_scope(Database.AUTH, actor=principal) as auth:
            match = _person(people.list_people(auth, principal, active_only=False), person)
        if match is None:
            raise Refused(f"I know nobody called '{person}'")
        user_id, who = match[0], f"{match[1]}'s"
    compensation_service.require_reader(principal, user_id)  # refuse before reading anything
    with session_scope(Database.COMPENSATION, actor=principal) as comp:
        if period:
            chosen = parse_period(period)
            start, end = chosen.start, chosen.end
        else:
            overview = compensation_summaries.earnings_overview(comp, principal, user_id=user_id, today=today_utc())
            if overview.current is None:
                return f"{who} commission: no statement yet.", [], []
            start, end = overview.current.period_start, overview.current.period_end
        statement = compensation_service.get_statement(comp, principal, user_id=user_id, period_start=start,
                                                       period_end=end)
    titles = _deal_titles(principal, [line.deal_id for line in statement.lines if line.deal_id])
    label = Period(statement.period_start, statement.period_end).code
    attainment = f", {statement.attainment:.0%} of a {_money(statement.quota)} quota" if statement.quota else ""
    summary = (f"{who} {label} statement ({statement.status.replace('_', ' ')}): commission "
               f"{_money(statement.commission)} on revenue {_money(statement.revenue)}{attainment}.")
    # named as the Commissions page names them: the deal's title beside "the deal", never its id
    rows = [[titles.get(line.deal_id, "A deal no longer in the CRM") if line.deal_id
             else engine.KIND_WORDS.get(line.kind, line.kind.capitalize()),
             _money(line.amount), engine.beside_its_deal(line.explanation)] for line in statement.lines]
    return summary, ["Deal or item", "Commission", "How it is computed"], rows  # the long sentence last


def commission_what_if(principal: Principal, deals: list[str] | None = None) -> tuple[str, list[str], list[list]]:
    open_deals = compensation_flows.open_deals_for(principal, user_id=principal.id)
    wanted = [name.lower() for name in (deals or []) if name.strip()]
    chosen = [deal for deal in open_deals if any(name in deal.name.lower() for name in wanted)]
    if not chosen:
        examples = ", ".join(deal.name for deal in open_deals[:3])
        hint = f" Your open deals include {examples}." if examples else " You have no open deal with an amount."
        raise Refused("name one of your open deals to see what it would earn." + hint)
    result = compensation_flows.what_if(principal, user_id=principal.id, deal_ids=[deal.id for deal in chosen],
                                        today=today_utc())
    names = ", ".join(deal.name for deal in chosen)
    summary = (f"If {names} closed today, your {result.period} commission would go from "
               f"{_money(result.current_commission)} to {_money(result.projected_commission)} "
               f"({_money(result.difference)} more) on revenue of {_money(result.projected_revenue)}"
               + (f", reaching {result.tier_reached}" if result.tier_reached else "") + ".")
    titles = _deal_titles(principal, [line.deal_id for line in result.lines if line.deal_id])
    rows = [[_money(line.amount), engine.with_deal_names(line.explanation, titles)] for line in result.lines]
    return summary, ["Commission", "How it is computed"], rows


# --- marketing and forecasts ---------------------------------------------------------------------------


def campaign_roi(principal: Principal, campaign: str | None = None) -> tuple[str, list[str], list[list]]:
    report = marketing_flows.roi_report(principal, filters=RoiFilters())
    rows = [row for row in report.campaigns if row.campaign_id is not None
            and (not campaign or campaign.lower() in row.name.lower())]
    # best return first (campaigns without a budget, whose ROI is not computable, last), then by won revenue
    rows.sort(key=lambda row: (row.roi is None, -(row.roi or 0), -row.won_revenue, row.name))
    table = [[row.name, _money(row.budget), row.leads, row.converted, _money(row.won_revenue),
              f"{row.roi:.0%}" if row.roi is not None else "no budget"] for row in rows]
    if campaign and not rows:
        return f"No campaign matches '{campaign}'.", [], []
    total = report.totals
    summary = (f"{len(rows)} campaign(s): budget {_money(sum((r.budget or 0) for r in rows))}, won revenue "
               f"{_money(sum(r.won_revenue for r in rows))}." if campaign else
               f"All campaigns: budget {_money(total.budget)}, {total.leads:,} leads, {total.converted:,} converted, "
               f"won revenue {_money(total.won_revenue)}, ROI "
               f"{f'{total.roi:.0%}' if total.roi is not None else 'not computable'}."
               + (f" Best return: {rows[0].name} ({rows[0].roi:.0%})." if rows and rows[0].roi is not None else ""))
    return summary, ["Campaign", "Budget", "Leads", "Converted", "Won revenue", "ROI"], table


def leads_by_campaign(principal: Principal, campaign: str | None = None) -> tuple[str, list[str], list[list]]:
    report = marketing_flows.roi_report(principal, filters=RoiFilters())
    rows = [row for row in report.campaigns if not campaign or campaign.lower() in row.name.lower()]
    if campaign and not rows:
        return f"No campaign matches '{campaign}'.", [], []
    if campaign and len(rows) == 1 and rows[0].campaign_id is not None:
        with session_scope(Database.MARKETING, actor=principal) as marketing:
            leads = _page_rows(marketing_leads.list_leads(marketing, principal, campaign_id=rows[0].campaign_id,
                                                          limit=200))
        best = sorted(leads, key=lambda lead: -(lead.get("score") or 0))[:10]
        table = [[" ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p) or "(no name)",
                  lead.get("company_name") or "", lead["status"], lead.get("score") or 0] for lead in best]
        summary = (f"{rows[0].name}: {rows[0].leads:,} leads, {rows[0].qualified:,} qualified, {rows[0].converted:,} "
                   f"converted; its best-scored leads are listed.")
        return summary, ["Lead", "Company", "Status", "Score"], table
    table = [[row.name, row.leads, row.qualified, row.converted] for row in rows]
    summary = f"Leads of {len(rows)} campaign(s): {sum(row.leads for row in rows):,} in all."
    return summary, ["Campaign", "Leads", "Qualified", "Converted"], table


def forecast(principal: Principal, period: str | None = None) -> tuple[str, list[str], list[list]]:
    return forecast_adapter(principal, period=period)


def forecast_adapter(principal: Principal, *, period: str | None) -> tuple[str, list[str], list[list]]:
    """The quarter's forecast as the Forecasts page shows it for the asker's own scope: every method's figure
    with its explanation, the call (and a manager's adjustment), quota and coverage."""
    chosen = parse_period(period) if period else quarter_of(today_utc())
    found = forecasting_flows.get_overview(principal, period=chosen, scope=None)
    rows = [[method.label, _money(method.value), method.explanation] for method in found.methods]
    for name, call in (("Call", found.call), ("Adjusted call", found.adjusted)):
        if call is not None:
            rows.append([name, _money(call.value), call.note or ""])
    parts = [f"{found.period_label} for {found.scope_label}: won so far {_money(found.won)}, open pipeline "
             f"{_money(found.open_pipeline)}"]
    if found.quota is not None:
        parts.append(f"quota {_money(found.quota)}")
    if found.coverage is not None:
        parts.append(f"coverage {found.coverage:.1f}x")
    return ", ".join(parts) + ".", ["Method", "Forecast", "How it is computed"], rows


_RUNNERS: dict[str, Callable[..., tuple[str, list[str], list[list]]]] = {
    "pipeline_by_stage": pipeline_by_stage, "list_deals": list_deals, "find_deal": find_deal,
    "find_company": find_company, "commission_statement": commission_statement,
    "commission_what_if": commission_what_if, "campaign_roi": campaign_roi, "leads_by_campaign": leads_by_campaign,
    "forecast": forecast,
}


# --- helpers -------------------------------------------------------------------------------------------


def _page_rows(page: Any) -> list[dict]:
    return page.rows.to_dict("records") if page is not None and len(page.rows) else []


def _person(everyone: list[tuple], name: str) -> tuple[int, str] | None:
    """(id, name) of the one person `name` means: full name, email, or a first name only one person has."""
    wanted = " ".join(name.lower().split())
    exact = [(row[0], row[1]) for row in everyone if wanted in (row[1].lower(), (row[2] or "").lower())]
    if exact:
        return exact[0]
    first = [(row[0], row[1]) for row in everyone if row[1].lower().split()[:1] == [wanted]]
    return first[0] if len(first) == 1 else None


def _names(principal: Principal, user_ids: set[int]) -> dict[int, str]:
    with session_scope(Database.AUTH, actor=principal) as auth:
        return people.get_user_names(auth, principal, user_ids=user_ids)


def _deal_titles(principal: Principal, deal_ids: list[int]) -> dict[int, str]:
    if not deal_ids or not principal.has("crm.read"):
        return {}
    with session_scope(Database.CRM, actor=principal) as crm:
        return deal_service.get_deal_titles(crm, principal, deal_ids=tuple(deal_ids))


def _audit_refusal(principal: Principal, permission: str, tool: str) -> None:
    with session_scope(Database.AUTH, actor=principal) as auth:
        audit.record(auth, user_id=principal.id, action=f"refused:{permission}", result=audit.REFUSED,
                     object_type="assistant_tool", object_id=tool)


def _money(value: Any) -> str:
    return money_exact(Decimal(str(value))) if value is not None else "no amount"


def _day(value: Any) -> str:
    return value.strftime("%d %b %Y") if value is not None and hasattr(value, "strftime") else "no date"
