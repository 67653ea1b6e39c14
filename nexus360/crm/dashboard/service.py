"""The CRM dashboard: pipeline, won and lost figures, revenue breakdowns, leaderboard and deals at risk.

Every figure is filtered and aggregated by PostgreSQL (crm/dashboard/repository.py); this module resolves
the filters, applies the rules and checks `crm.read` on every call. Home shows the company-wide KPIs,
won revenue by month and pipeline by stage through these same functions (one path per figure).

What a seller may see of colleagues (COLLEAGUE_FIGURES): revenue per owner is what commissions are paid on, and
the rules (with their rates) are open to every rep, so another seller's figures per period need
`commissions.read_all`. Without it the filters name oneself or everyone (never a colleague or a team), and the
leaderboard ranks colleagues without their amounts; the deals themselves stay readable one by one (crm.read).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal

import pandas as pd
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.auth.users import service as people
from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.crm import repository as crm_repository
from nexus360.crm.dashboard import repository
from nexus360.crm.dashboard.schemas import (
    DashboardFilters,
    DashboardKpis,
    DealFigures,
    DealScope,
    OpenTotals,
    OwnerChoice,
    PeriodFigures,
    StageInfo,
)

# Roles say who sells and who leads: a rep holds sales_rep (and not sales_manager); a team is led by a holder
# of sales_manager who manages someone; deals are owned by reps and managers. Marketers and admins are none.
REP_ROLE, MANAGER_ROLE = "sales_rep", "sales_manager"
OWNER_ROLES = (REP_ROLE, MANAGER_ROLE)
LEADERBOARD_SIZE = 15
STUCK_FACTOR = 2  # "far longer" than won deals usually spend in a stage: more than twice their median
MAX_PAGE = 200
COLLEAGUE_FIGURES = "commissions.read_all"  # who may see another seller's won revenue, pipeline and win rate
LEADERBOARD_FIGURES = ("won_amount", "won_deals", "open_pipeline", "win_rate")


def sees_colleagues(principal: Principal) -> bool:
    """Whether the dashboard may show this principal another seller's (or a team's) figures."""
    return principal.is_active and principal.has(COLLEAGUE_FIGURES)


def _visible(principal: Principal, filters: DashboardFilters) -> DashboardFilters:
    """The filters, once the principal may see the owners they name: oneself or everyone, or anyone with
    COLLEAGUE_FIGURES (a team's total less one's own is a colleague's revenue)."""
    if filters.owner_ids not in ((), (principal.id,)) and not sees_colleagues(principal):
        raise AuthorizationError(COLLEAGUE_FIGURES, user_email=principal.email)
    return filters


def _stages(session: Session) -> tuple[StageInfo, ...]:
    return tuple(StageInfo(stage.id, stage.name, stage.position, stage.win_probability, stage.is_won, stage.is_lost)
                 for stage in crm_repository.list_stages(session))


def _scope(session: Session, filters: DashboardFilters) -> DealScope:
    return _scope_of(_stages(session), filters)


def _scope_of(stages: tuple[StageInfo, ...], filters: DashboardFilters) -> DealScope:
    chosen = set(filters.stage_ids)

    def pick(group: list[int]) -> tuple[int, ...]:
        named = [stage_id for stage_id in group if stage_id in chosen]
        return tuple(named or group)

    open_ids = pick([stage.id for stage in stages if not stage.is_won and not stage.is_lost])
    closed = pick([stage.id for stage in stages if stage.is_won or stage.is_lost])
    won_ids = {stage.id for stage in stages if stage.is_won}
    return DealScope(
        open_stage_ids=open_ids,
        won_stage_ids=tuple(stage_id for stage_id in closed if stage_id in won_ids),
        lost_stage_ids=tuple(stage_id for stage_id in closed if stage_id not in won_ids),
        owner_ids=filters.owner_ids,
        industry_ids=filters.industry_ids,
        country_ids=filters.country_ids,
    )


# --- figures per owner and stage, and their sums (the KPIs and the funnel) ---------------------------------------


def figures_filters(principal: Principal, filters: DashboardFilters) -> DashboardFilters:
    """What get_open_figures / get_closed_figures are read by for `filters`: without owners and stages (every
    choice of those is then a sum of the same rows), but within the owners chosen for whoever may not see
    colleagues' figures one by one (their rows come summed over owners)."""
    visible = _visible(principal, filters)
    return visible.by_company() if sees_colleagues(principal) else replace(visible, stage_ids=())


def _owned(principal: Principal, rows: list[tuple]) -> tuple[tuple, ...]:
    """Rows per owner and stage, or (without COLLEAGUE_FIGURES) per stage, owners summed (owner None)."""
    if sees_colleagues(principal):
        return tuple(rows)
    sums: dict[int, list] = {}
    for _owner, stage_id, *values in rows:
        total = sums.setdefault(stage_id, [0] * len(values))
        sums[stage_id] = [a + b for a, b in zip(total, values, strict=True)]
    return tuple((None, stage_id, *values) for stage_id, values in sums.items())


def get_stages(session: Session, principal: Principal) -> tuple[StageInfo, ...]:
    """The pipeline's stages as the figures need them. A page caches them and hands them to the reads below
    (`stages=`), so a figure read cold sends its own query only, not the stages again."""
    require(principal, "crm.read")
    return _stages(session)


def get_open_figures(session: Session, principal: Principal, *, filters: DashboardFilters, today: date,
                     stages: tuple[StageInfo, ...] | None = None) -> DealFigures:
    """Open deals now per owner and stage (deals, amount, past their close date) within figures_filters(filters)."""
    require(principal, "crm.read")
    stages = stages or _stages(session)
    rows = repository.open_by_owner_stage(session, _scope_of(stages, figures_filters(principal, filters)), today)
    return DealFigures(stages, _owned(principal, rows))


def get_closed_figures(session: Session, principal: Principal, *, filters: DashboardFilters,
                       stages: tuple[StageInfo, ...] | None = None) -> DealFigures:
    """Deals closed (won or lost) in the filters' period per owner and stage (deals, amount, days from creation to
    close summed and counted), within figures_filters(filters)."""
    require(principal, "crm.read")
    stages = stages or _stages(session)
    scope = _scope_of(stages, figures_filters(principal, filters))
    rows = repository.closed_by_owner_stage(session, scope, filters.start, filters.end)
    return DealFigures(stages, _owned(principal, rows), filters.start, filters.end)


def _chosen(principal: Principal, figures: DealFigures, filters: DashboardFilters) -> tuple[DealScope, list[tuple]]:
    scope = _scope_of(figures.stages, _visible(principal, filters))
    owners = set(scope.owner_ids)
    return scope, [row for row in figures.rows if row[0] is None or not owners or row[0] in owners]


def open_totals_of(principal: Principal, figures: DealFigures, filters: DashboardFilters) -> OpenTotals:
    """The open totals of `filters` (owners, stages) from get_open_figures of figures_filters(filters)."""
    scope, rows = _chosen(principal, figures, filters)
    rows = [row for row in rows if row[1] in scope.open_stage_ids]
    probability = {stage.id: stage.win_probability for stage in figures.stages}
    weighted = sum((Decimal(amount) * probability[stage_id] / 100 for _o, stage_id, _n, amount, _x in rows), Decimal(0))
    return OpenTotals(open_deals=sum(row[2] for row in rows), open_pipeline=sum((row[3] for row in rows), Decimal(0)),
                      weighted_pipeline=weighted.quantize(Decimal("0.01")), overdue_deals=sum(row[4] for row in rows))


def funnel_of(principal: Principal, figures: DealFigures, filters: DashboardFilters) -> pd.DataFrame:
    """Open deals per open stage of `filters` in pipeline order (stage, position, deals, amount), from
    get_open_figures of figures_filters(filters)."""
    scope, rows = _chosen(principal, figures, filters)
    deals = {stage_id: [0, Decimal(0)] for stage_id in scope.open_stage_ids}
    for _owner, stage_id, count, amount, _overdue in rows:
        if stage_id in deals:
            deals[stage_id][0] += count
            deals[stage_id][1] += amount
    frame = pd.DataFrame([(stage.name, stage.position, *deals[stage.id]) for stage in figures.stages
                          if stage.id in deals], columns=["stage", "position", "deals", "amount"])
    return frame.astype({"position": int, "deals": int, "amount": float})


def period_of(principal: Principal, figures: DealFigures, filters: DashboardFilters) -> PeriodFigures:
    """Won and lost deals of `filters` (owners, stages) closed in the figures' period, from get_closed_figures."""
    scope, rows = _chosen(principal, figures, filters)
    won = [row for row in rows if row[1] in scope.won_stage_ids]
    lost = [row for row in rows if row[1] in scope.lost_stage_ids]
    won_deals, lost_deals = sum(row[2] for row in won), sum(row[2] for row in lost)
    won_amount = sum((row[3] for row in won), Decimal(0))
    days, dated = sum(row[4] for row in won), sum(row[5] for row in won)
    closed = won_deals + lost_deals
    return PeriodFigures(
        start=figures.start,
        end=figures.end,
        won_amount=won_amount,
        won_deals=won_deals,
        lost_amount=sum((row[3] for row in lost), Decimal(0)),
        lost_deals=lost_deals,
        win_rate=won_deals / closed if closed else None,
        average_deal_size=(won_amount / won_deals).quantize(Decimal("0.01")) if won_deals else None,
        average_sales_cycle_days=days / dated if dated else None,
    )


def kpis_of(principal: Principal, open_now: DealFigures, current: DealFigures, previous: DealFigures,
            filters: DashboardFilters) -> DashboardKpis:
    """The KPI row of `filters` from the open figures and the closed figures of its period and the one before."""
    return DashboardKpis(**asdict(open_totals_of(principal, open_now, filters)), current=period_of(
        principal, current, filters), previous=period_of(principal, previous, filters))


def get_open_totals(session: Session, principal: Principal, *, filters: DashboardFilters, today: date) -> OpenTotals:
    """Open deals now, within the filters' owners, stages, industries and countries (the dates do not matter)."""
    return open_totals_of(principal, get_open_figures(session, principal, filters=filters, today=today), filters)


def get_kpis(session: Session, principal: Principal, *, filters: DashboardFilters, today: date) -> DashboardKpis:
    """Open and weighted pipeline now, and won/lost figures of the period against the one before."""
    start, end = filters.previous
    stages = _stages(session)  # read once for the three reads
    return kpis_of(principal, get_open_figures(session, principal, filters=filters, today=today, stages=stages),
                   get_closed_figures(session, principal, filters=filters, stages=stages),
                   get_closed_figures(session, principal, filters=replace(filters, start=start, end=end),
                                      stages=stages), filters)


def get_funnel(session: Session, principal: Principal, *, filters: DashboardFilters) -> pd.DataFrame:
    """Open deals per open stage in pipeline order: stage, position, deals, amount."""
    return funnel_of(principal, get_open_figures(session, principal, filters=filters, today=filters.end), filters)


def _year_before(day: date) -> date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else day.replace(year=day.year - 1, day=28)


def get_won_by_month(session: Session, principal: Principal, *, filters: DashboardFilters) -> pd.DataFrame:
    """Won revenue (and deals) per month of the period, beside the same dates a year earlier."""
    require(principal, "crm.read")
    scope = _scope(session, _visible(principal, filters))
    this_year = {m: (amount, deals) for m, amount, deals in repository.won_by_month(session, scope, filters.start,
                                                                                 filters.end)}
    last_year = {m.replace(year=m.year + 1): amount for m, amount, _deals in
                 repository.won_by_month(session, scope, _year_before(filters.start), _year_before(filters.end))}
    months = pd.date_range(filters.start.replace(day=1), filters.end, freq="MS").date
    return pd.DataFrame({
        "month": months,
        "revenue": [float(this_year.get(month, (0, 0))[0]) for month in months],
        "deals": [int(this_year.get(month, (0, 0))[1]) for month in months],
        "revenue_last_year": [float(last_year.get(month, 0)) for month in months],
    })


def get_revenue_by_industry(session: Session, principal: Principal, *, filters: DashboardFilters) -> pd.DataFrame:
    """Won revenue of the period per company industry, largest first (industry, revenue, deals)."""
    require(principal, "crm.read")
    scope = _scope(session, _visible(principal, filters))
    rows = repository.won_by_industry(session, scope, filters.start, filters.end)
    frame = pd.DataFrame(rows, columns=["industry", "revenue", "deals"])
    return frame.assign(industry=frame["industry"].fillna("Unknown")).astype({"revenue": float, "deals": int})


def get_revenue_by_country(session: Session, principal: Principal, *, filters: DashboardFilters) -> pd.DataFrame:
    """Won revenue of the period per company country, largest first (iso3, country, revenue, deals)."""
    require(principal, "crm.read")
    rows = repository.won_by_country(session, _scope(session, _visible(principal, filters)), filters.start, filters.end)
    return pd.DataFrame(rows, columns=["iso3", "country", "revenue", "deals"]).astype({"revenue": float, "deals": int})


_LEADERBOARD_COLUMNS = ["rank", "owner_id", *LEADERBOARD_FIGURES]


def get_owner_leaderboard(
    session: Session, principal: Principal, *, filters: DashboardFilters, limit: int = 50
) -> pd.DataFrame:
    """Owners by won revenue in the period (rank, owner_id, won_amount, won_deals, open_pipeline, win_rate).

    Without COLLEAGUE_FIGURES only the principal's own row keeps its figures; colleagues keep their rank."""
    require(principal, "crm.read")
    return _owner_board(session, principal, _visible(principal, filters), limit)


def _owner_board(session: Session, principal: Principal, filters: DashboardFilters, limit: int) -> pd.DataFrame:
    rows = repository.owner_totals(session, _scope(session, filters), filters.start, filters.end, _page(limit))
    frame = pd.DataFrame(
        [(rank, owner, float(won), won_n, float(pipeline), won_n / (won_n + lost_n) if won_n + lost_n else None)
         for rank, (owner, won, won_n, lost_n, pipeline) in enumerate(rows, start=1)],
        columns=_LEADERBOARD_COLUMNS,
    )
    frame = frame.astype({"rank": int, "owner_id": int, "won_amount": float, "won_deals": int, "open_pipeline": float})
    if not sees_colleagues(principal):
        frame = frame.astype({"won_deals": "Int64", "win_rate": float})
        frame.loc[frame["owner_id"] != principal.id, list(LEADERBOARD_FIGURES)] = None
    return frame


def get_rep_leaderboard(
    session: Session, principal: Principal, *, filters: DashboardFilters, auth_session: Session,
    limit: int = LEADERBOARD_SIZE,
) -> pd.DataFrame:
    """"Who is ahead": sales reps (present and former; managers are not reps) by won revenue in the period,
    within the filters' owners, with their names (owner_id, owner, won_amount, won_deals, open_pipeline,
    win_rate); without COLLEAGUE_FIGURES, colleagues by rank only (see get_owner_leaderboard)."""
    require(principal, "crm.read")
    _visible(principal, filters)
    reps = _reps(auth_session, principal)
    wanted = tuple(sorted(reps.keys() & set(filters.owner_ids) if filters.owner_ids else reps))
    if not wanted:
        return pd.DataFrame(columns=[*_LEADERBOARD_COLUMNS, "owner"])
    board = _owner_board(session, principal, replace(filters, owner_ids=wanted), limit)
    return board.assign(owner=board["owner_id"].map(reps))


def _reps(auth_session: Session, principal: Principal) -> dict[int, str]:
    def holders(role: str, *, active_only: bool) -> dict[int, str]:
        rows = people.list_people(auth_session, principal, roles=(role,), active_only=active_only)
        return {user_id: name for user_id, name, _email, _active in rows}

    managers = holders(MANAGER_ROLE, active_only=False)
    return {user_id: name for user_id, name in holders(REP_ROLE, active_only=False).items() if user_id not in managers}


def list_owner_choices(session: Session, principal: Principal) -> list[OwnerChoice]:
    """The Owner / team filter's choices (`session` is the auth database's): everyone; one's own deals for
    those who own deals; each sales manager's team (them and everyone under them); each active rep or manager
    (teams and sellers only for holders of COLLEAGUE_FIGURES)."""
    require(principal, "crm.read")
    sellers = people.list_people(session, principal, roles=OWNER_ROLES)
    leads = {user_id for user_id, *_rest in people.list_people(session, principal, roles=(MANAGER_ROLE,))}
    choices = [OwnerChoice("Everyone")]
    if principal.has("crm.write"):
        choices.append(OwnerChoice("My deals", (principal.id,)))
    if not sees_colleagues(principal):  # a colleague's or a team's figures need COLLEAGUE_FIGURES
        return choices
    for manager_id, name in people.list_managers(session, principal):
        if manager_id in leads:
            members = people.list_team_member_ids(session, principal, manager_id=manager_id)
            choices.append(OwnerChoice(f"Team of {name}", tuple(members)))
    choices += [OwnerChoice(name, (user_id,)) for user_id, name, _email, _active in sellers]
    return choices


def get_stage_medians(session: Session, principal: Principal, *, today: date) -> dict[int, float]:
    """Median days recently won deals spent in each stage (by stage id): the yardstick for stuck deals."""
    # Company-wide on purpose: the dashboard filters do not apply, so a small team is measured against
    # how deals are usually won, not against its own few wins. Small and slow-changing: cache it.
    require(principal, "crm.read")
    won_ids = tuple(stage.id for stage in crm_repository.list_stages(session) if stage.is_won)
    return repository.won_stage_medians(session, won_ids, today)


def list_deals_at_risk(
    session: Session,
    principal: Principal,
    *,
    filters: DashboardFilters,
    today: date,
    limit: int = 50,
    after: tuple[date | None, int] | None = None,
    stage_medians: dict[int, float] | None = None,
    stages: tuple[StageInfo, ...] | None = None,
) -> pd.DataFrame:
    """Open deals past their close date or in their stage over twice won deals' median, by close date."""
    # Columns: deal_id, title, company, stage, amount, close_date, owner_id, days_in_stage, reason.
    # The next page starts `after` the last row's (close_date, deal_id); pass `stage_medians` (from
    # get_stage_medians, cached by the page) so paging does not measure the medians again.
    require(principal, "crm.read")
    medians = get_stage_medians(session, principal, today=today) if stage_medians is None else stage_medians
    rows = repository.deals_at_risk(
        session,
        _scope_of(stages or _stages(session), _visible(principal, filters)),
        today=today,
        stuck_after_days={stage_id: STUCK_FACTOR * median for stage_id, median in medians.items()},
        limit=_page(limit),
        after=after,
    )
    records = []
    for deal_id, title, company, stage_id, stage, amount, close_date, owner_id, entered_at in rows:
        days = (today - entered_at.date()).days if entered_at else None
        overdue = close_date is not None and close_date < today
        usual = f"usually {medians.get(stage_id, 0):.0f}"  # the median days won deals spent there
        stay = f"{days} days in {stage}, {usual}" if days is not None else f"in {stage} since an unknown date, {usual}"
        reason = "close date passed" if overdue else stay
        records.append((deal_id, title, company, stage, float(amount or 0), close_date, owner_id, days, reason))
    columns = ["deal_id", "title", "company", "stage", "amount", "close_date", "owner_id", "days_in_stage", "reason"]
    return pd.DataFrame(records, columns=columns)


def _page(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"Ask for between 1 and {MAX_PAGE} rows at a time (not {limit}).")
    return limit
