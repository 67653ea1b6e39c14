"""Forecast work across databases: the live figures of a period and scope, generating (a snapshot with every
method), a rep's call (their manager is told) and a manager's adjustment (the rep is told).

Reads open auth, crm, compensation and forecasting sessions as the acting user, in that order. Writes commit
the forecasting change first and notify afterwards, then record that they did (`notified_at`): a retry with
the same request key finds the saved call instead of saving it twice, and tells the person only if that had
not happened yet.
"""

from __future__ import annotations

from contextlib import ExitStack
from decimal import Decimal

from pydantic import BaseModel

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.common.money import money_exact
from nexus360.common.periods import Period, now_utc, parse_period
from nexus360.common.validation import parse
from nexus360.compensation.quotas import service as quotas
from nexus360.crm.forecast import service as crm_forecast
from nexus360.db import Database, session_scope
from nexus360.forecasting import engine, repository, service
from nexus360.forecasting.figures import service as figures_service
from nexus360.forecasting.schemas import REP, TEAM, CallCreate, ForecastRead, Overview, RollupRow, Scope
from nexus360.jobs import service as events
from nexus360.notifications import service as notifications


class Generated(BaseModel):
    snapshot_id: int
    period: str
    scope: str
    scope_label: str
    deals: int
    methods: list[ForecastRead]


def _sessions(stack: ExitStack, principal: Principal, *databases: Database) -> list:
    return [stack.enter_context(session_scope(database, actor=principal)) for database in databases]


def _period_and_scope(principal: Principal, period: str | Period, scope: str | Scope | None) -> tuple[Period, Scope]:
    period = period if isinstance(period, Period) else parse_period(period)
    if scope is None or scope == "":
        return period, service.default_scope(principal)
    return period, scope if isinstance(scope, Scope) else Scope.parse(scope)


def get_overview(principal: Principal, *, period: str | Period, scope: str | Scope | None = None) -> Overview:
    """The period's numbers for the scope, live: every method with its factors, the call, quota and coverage."""
    period, scope = _period_and_scope(principal, period, scope)
    with ExitStack() as stack:
        auth, crm, comp, fc = _sessions(stack, principal, Database.AUTH, Database.CRM, Database.COMPENSATION,
                                        Database.FORECASTING)
        owners = service.resolve_owners(auth, principal, scope)
        label = service.scope_label(auth, principal, scope)
        figures = figures_service.read_figures(crm, principal, period=period, owners=owners)
        people = service.roll_up_people(auth, principal, owners, also={t.owner_id for t in figures.totals})
        quota = _total_quota(comp, principal, people, period)
        calls = {}
        if scope.kind in (REP, TEAM):
            calls = service.latest_calls(fc, principal, period=period, scope=scope.kind,
                                         owner_ids=[int(scope.owner_id)]).get(int(scope.owner_id), {})
    return figures_service.overview(figures, period=period, scope=scope, label=label, quota=quota, calls=calls,
                                   owners=owners)


def get_rollup(principal: Principal, *, period: str | Period, scope: str | Scope) -> list[RollupRow]:
    """The team roll-up: one row per person of a team (or the company) with call, adjusted call and methods."""
    require(principal, "forecasts.manage")
    period, scope = _period_and_scope(principal, period, scope)
    with ExitStack() as stack:
        auth, crm, comp, fc = _sessions(stack, principal, Database.AUTH, Database.CRM, Database.COMPENSATION,
                                        Database.FORECASTING)
        owners = service.resolve_owners(auth, principal, scope)
        figures = figures_service.read_figures(crm, principal, period=period, owners=owners, by_owner=True)
        people = sorted(service.roll_up_people(auth, principal, owners, also={t.owner_id for t in figures.totals}))
        names = service.user_names(auth, principal, people)
        found = quotas.get_quotas(comp, principal, user_ids=people, period_start=period.start, period_end=period.end)
        calls = service.latest_calls(fc, principal, period=period, scope=REP, owner_ids=people)
    return figures_service.rollup(figures, people=people, names=names, calls=calls, quotas=found)


def _total_quota(comp, principal: Principal, people: set[int], period: Period) -> Decimal | None:
    found = quotas.get_quotas(comp, principal, user_ids=people, period_start=period.start, period_end=period.end)
    known = [quota for quota in found.values() if quota is not None]
    return sum(known, Decimal(0)) if known else None


def generate(principal: Principal, *, period: str | Period, scope: str | Scope | None = None,
             request_key: str | None = None) -> Generated:
    """Compute every method for the period and scope and keep them, with the scope's deals, as a snapshot."""
    require(principal, "forecasts.read")
    period, scope = _period_and_scope(principal, period, scope)
    with ExitStack() as stack:
        auth, crm = _sessions(stack, principal, Database.AUTH, Database.CRM)
        owners = service.resolve_owners(auth, principal, scope)
        label = service.scope_label(auth, principal, scope)
        figures = figures_service.read_figures(crm, principal, period=period, owners=owners)
        deals = crm_forecast.copy_period_deals(crm, principal, start=period.start, end=period.end, owner_ids=owners)
    results = figures_service.methods(figures)
    with session_scope(Database.FORECASTING, actor=principal) as fc:
        existing = repository.find_snapshot_by_key(fc, request_key) if request_key else None
        snapshot = existing or service._save_snapshot(fc, principal, period=period, scope=scope, kind="generated",
                                                      deals=deals, results=results, request_key=request_key)[0]
        snapshot_id, count = snapshot.id, snapshot.deal_count or 0
    return Generated(snapshot_id=snapshot_id, period=period.code, scope=scope.code, scope_label=label, deals=count,
                     methods=[service.result_read(result) for result in results])


def submit_call(principal: Principal, *, period: str | Period, amount: Decimal | float | str, note: str | None = None,
                scope: str | Scope | None = None, request_key: str | None = None) -> ForecastRead:
    """Submit one's call for a period (a rep's own, or a manager's for their team) with a note; the manager is told."""
    data = parse(CallCreate, amount=amount, note=note)
    period, scope = _period_and_scope(principal, period, scope)
    service.check_call_scope(principal, scope)
    with session_scope(Database.FORECASTING, actor=principal) as fc:
        saved = repository.find_forecast_by_key(fc, request_key) if request_key else None
        if saved is not None:
            call = service.forecast_read(saved, repository.factors_of(fc, [saved.id]).get(saved.id, ()))
            notified = saved.notified_at is not None
    if saved is None:
        call, notified = _save_call(principal, period=period, scope=scope, data=data, request_key=request_key), False
    if not notified:
        _tell_manager(principal, call, period)
    return call


def _save_call(principal: Principal, *, period: Period, scope: Scope, data: CallCreate,
               request_key: str | None) -> ForecastRead:
    amount = engine.cents(data.amount)
    with ExitStack() as stack:
        auth, crm, fc = _sessions(stack, principal, Database.AUTH, Database.CRM, Database.FORECASTING)
        owners = service.resolve_owners(auth, principal, scope)
        figures = figures_service.read_figures(crm, principal, period=period, owners=owners)
        deals = crm_forecast.copy_period_deals(crm, principal, start=period.start, end=period.end, owner_ids=owners)
        if scope.kind == TEAM:
            people = service.roll_up_people(auth, principal, owners, also={t.owner_id for t in figures.totals})
            people.discard(principal.id)
            calls = service.latest_calls(fc, principal, period=period, scope=REP, owner_ids=sorted(people))
            members = sum(((c.get(engine.ADJUSTED_CALL) or c.get(engine.CALL)).value for c in calls.values()),
                          Decimal("0.00"))
            call = engine.team_call_result(amount, members_total=members)
        else:
            sums = engine.category_sums(figures.totals, figures.stages)
            call = engine.call_result(amount, closed=sums[engine.CLOSED], commit=sums[engine.COMMIT])
        _snapshot, rows = service._save_snapshot(fc, principal, period=period, scope=scope, kind="call", deals=deals,
                                                 results=[*figures_service.methods(figures), call], note=data.note,
                                                 request_key=request_key)
        saved = rows[-1]
        events.record_forecast_submitted(fc, forecast_id=saved.id, period=period.code, scope=scope.code,  # webhook
                                         amount=str(amount), submitted_by=principal.id)  # event, with the call
        return service.forecast_read(saved, repository.factors_of(fc, [saved.id]).get(saved.id, ()))


def adjust_call(principal: Principal, *, call_id: int, amount: Decimal | float | str, note: str | None = None,
                request_key: str | None = None) -> ForecastRead:
    """A manager adjusts a rep's call (both are kept, with who and when); the rep is told."""
    require(principal, "forecasts.manage")
    data = parse(CallCreate, amount=amount, note=note)
    if not data.note:
        raise ValidationError("Note is required: say why you adjust the call (the rep reads it).")
    with ExitStack() as stack:
        auth, crm, fc = _sessions(stack, principal, Database.AUTH, Database.CRM, Database.FORECASTING)
        saved = repository.find_forecast_by_key(fc, request_key) if request_key else None
        if saved is None:
            call = service.get_call(fc, principal, call_id=call_id)
            if call.owner_id == principal.id:
                raise AuthorizationError("forecasts.manage (someone else adjusts your call)",
                                         user_email=principal.email)
            scope = Scope(kind=REP, owner_id=call.owner_id)
            owners = service.resolve_owners(auth, principal, scope)
            row = repository.get_forecast(fc, call_id)
            period = Period(row.period_start, row.period_end)
            deals = crm_forecast.copy_period_deals(crm, principal, start=period.start, end=period.end,
                                                   owner_ids=owners)
            result = engine.adjusted_call_result(engine.cents(data.amount), call_value=call.value)
            _snapshot, rows = service._save_snapshot(fc, principal, period=period, scope=scope, kind="adjustment",
                                                     deals=deals, results=[result], note=data.note,
                                                     adjusts_id=call_id, request_key=request_key)
            saved = rows[0]
        adjusted = service.forecast_read(saved, repository.factors_of(fc, [saved.id]).get(saved.id, ()))
        period = Period(saved.period_start, saved.period_end)
        notified = saved.notified_at is not None
    if not notified:
        _notify(principal, adjusted, int(adjusted.owner_id), type="forecast_adjusted", period=period,
                data={"forecast": {"amount": money_exact(adjusted.value)}, "note": adjusted.note})
    return adjusted


def _tell_manager(principal: Principal, call: ForecastRead, period: Period) -> None:
    with session_scope(Database.AUTH, actor=principal) as auth:
        manager = service.manager_of(auth, principal, principal.id)
    whose = "their team's" if call.factors and call.factors[0].name == engine.TEAM_CALLS else "their"
    _notify(principal, call, manager, type="forecast_submitted", period=period, reason=f"you manage "
            f"{principal.display_name}", data={"rep": {"name": principal.display_name}, "note": call.note,
                                             "forecast": {"amount": money_exact(call.value), "whose": whose}})


def _notify(principal: Principal, forecast: ForecastRead, user_id: int | None, *, type: str, period: Period,
            data: dict, reason: str | None = None) -> None:
    """Tell `user_id` (nobody to tell: nothing to do), then record that the forecast's person was told."""
    if user_id is not None:
        with session_scope(Database.NOTIFICATIONS, actor=principal) as session:
            notifications.notify_event(session, principal, type=type, recipients={user_id: reason},
                                       data={**data, "period": {"code": period.code, "label": period.label}},
                                       key=f"forecast:{forecast.id}:{type}")
    with session_scope(Database.FORECASTING, actor=principal) as fc:
        repository.mark_notified(fc, int(forecast.id), now_utc().replace(tzinfo=None))
