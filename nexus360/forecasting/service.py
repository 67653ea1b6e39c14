"""Forecast rules: who may see which scope, and saving generations, calls and adjustments.

`forecasts.read` sees one's own forecast; holders of `forecasts.manage` also see and adjust their team's
(everyone under them in the manager hierarchy), and those at the top of it the company's. People and teams
come from the auth domain through the adapter below (its functions are the only place that names them).
The write halves here take the forecasting session; their one public entry point is a flow, which reads the
CRM first and tells the person concerned afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.auth.users import service as people
from nexus360.common.errors import AuthorizationError, NotFoundError, ValidationError
from nexus360.common.periods import Period
from nexus360.forecasting import engine, repository
from nexus360.forecasting.models import Forecast, ForecastSnapshot
from nexus360.forecasting.schemas import COMPANY, REP, TEAM, FactorRead, ForecastRead, Scope

# --- people and teams (auth), through one adapter ----------------------------------------------------------


def _team_ids(auth: Session, principal: Principal, manager_id: int) -> list[int]:
    return people.list_team_member_ids(auth, principal, manager_id=manager_id)


def _managers(auth: Session, principal: Principal) -> list[tuple[int, str]]:
    return people.list_managers(auth, principal)


def _reps(auth: Session, principal: Principal) -> set[int]:
    return {row[0] for row in people.list_people(auth, principal, roles=["sales_rep"])}


def user_names(auth: Session, principal: Principal, user_ids: Iterable[int]) -> dict[int, str]:
    """Display names of users (for labels, roll-ups and notifications)."""
    return people.get_user_names(auth, principal, user_ids=user_ids)


# --- who sees what -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """What one principal may see: their team (themselves alone without forecasts.manage) and the managers in it."""

    user_id: int
    team: tuple[int, ...]
    managers: tuple[tuple[int, str], ...]  # managers within the team (the principal first when they manage)
    is_top: bool  # manages and nobody manages them: may see the company

    def sees(self, user_id: int) -> bool:
        return user_id in self.team


def get_audience(auth: Session, principal: Principal) -> Audience:
    """Whom the principal's forecasts.read and forecasts.manage reach."""
    require(principal, "forecasts.read")
    if not principal.has("forecasts.manage"):
        return Audience(principal.id, (principal.id,), (), False)
    managers = _managers(auth, principal)
    team = tuple(_team_ids(auth, principal, principal.id))
    above = [m for m, _name in managers if m != principal.id and principal.id in _team_ids(auth, principal, m)]
    mine = tuple(sorted(((m, n) for m, n in managers if m in team), key=lambda item: item[0] != principal.id))
    return Audience(principal.id, team, mine, not above)


def resolve_owners(auth: Session, principal: Principal, scope: Scope,
                   audience: Audience | None = None) -> tuple[int, ...] | None:
    """The deal owners a scope covers (None: everyone, the company), refusing scopes the principal may not see."""
    audience = audience or get_audience(auth, principal)
    if scope.kind == REP and scope.owner_id == principal.id:
        return (principal.id,)
    require(principal, "forecasts.manage")
    if scope.kind == COMPANY:
        if not audience.is_top:
            raise AuthorizationError("forecasts.manage (the company's forecast is for the top of the sales "
                                     "hierarchy)", user_email=principal.email)
        return None
    if not audience.sees(int(scope.owner_id)) and not audience.is_top:
        raise AuthorizationError("forecasts.manage (for someone in your team)", user_email=principal.email)
    if scope.kind == REP:
        return (int(scope.owner_id),)
    return tuple(_team_ids(auth, principal, int(scope.owner_id)))


def list_scopes(auth: Session, principal: Principal) -> list[tuple[str, str]]:
    """(code, label) of every scope the principal may open: their team's and its people first, then the company."""
    audience = get_audience(auth, principal)
    if not principal.has("forecasts.manage"):
        return [(Scope(kind=REP, owner_id=principal.id).code, principal.display_name)]
    names = user_names(auth, principal, audience.team)
    scopes = [(Scope(kind=TEAM, owner_id=m).code, f"Team of {names.get(m, name)}") for m, name in audience.managers]
    sellers = sorted(roll_up_people(auth, principal, audience.team), key=lambda user_id: names.get(user_id, ""))
    scopes += [(Scope(kind=REP, owner_id=user_id).code, names.get(user_id, "Unknown user")) for user_id in sellers]
    if audience.is_top:
        scopes.insert(0, ("company", "Company"))
    return scopes


def default_scope(principal: Principal) -> Scope:
    """A manager opens on their team, anyone else on their own forecast."""
    return Scope(kind=TEAM if principal.has("forecasts.manage") else REP, owner_id=principal.id)


def scope_label(auth: Session, principal: Principal, scope: Scope) -> str:
    if scope.kind == COMPANY:
        return "Company"
    name = user_names(auth, principal, [int(scope.owner_id)]).get(int(scope.owner_id), "Unknown user")
    return f"Team of {name}" if scope.kind == TEAM else name


def roll_up_people(auth: Session, principal: Principal, owner_ids: Sequence[int] | None,
                   also: Iterable[int] = ()) -> set[int]:
    """Who gets a row in a roll-up: the active reps of the scope, and anyone else of it with deals or calls."""
    reps = _reps(auth, principal)
    scoped = reps if owner_ids is None else reps & set(owner_ids)
    return scoped | {user_id for user_id in also if owner_ids is None or user_id in owner_ids}


def manager_of(auth: Session, principal: Principal, user_id: int) -> int | None:
    """The nearest manager above `user_id` (the smallest team that contains them), to tell about a call."""
    teams = [(len(team), manager) for manager, _name in _managers(auth, principal) if manager != user_id
             for team in [_team_ids(auth, principal, manager)] if user_id in team]
    return min(teams)[1] if teams else None


# --- reading stored forecasts ----------------------------------------------------------------------------------


def forecast_read(row: Forecast, factors: Iterable = ()) -> ForecastRead:
    result_label = engine.METHOD_LABELS.get(row.forecast_type, row.forecast_type.replace("_", " ").capitalize())
    return ForecastRead(
        id=row.id, method=row.forecast_type, label=result_label, value=row.forecast_value, low=row.low_value,
        high=row.high_value, confidence=row.confidence_score, explanation=row.explanation or "",
        factors=[FactorRead(name=f.factor_name, value=f.factor_value, weight=f.weight, contributes=f.contributes)
                 for f in factors],
        note=row.note, owner_id=row.owner_id, submitted_by=row.submitted_by, created_at=row.created_at,
        adjusts_id=row.adjusts_id, snapshot_id=row.snapshot_id,
    )


def result_read(result: engine.MethodResult) -> ForecastRead:
    """A forecast computed now (not stored) in the shape of a stored one."""
    return ForecastRead(
        method=result.method, label=result.label, value=result.value, low=result.low, high=result.high,
        confidence=result.confidence, explanation=result.explanation,
        factors=[FactorRead(name=f.name, value=f.value, weight=f.weight, contributes=f.contributes)
                 for f in result.factors],
    )


def latest_calls(session: Session, principal: Principal, *, period: Period, scope: str,
                 owner_ids: Sequence[int]) -> dict[int, dict[str, ForecastRead]]:
    """owner -> {"call": …, "adjusted_call": …}: the newest of each for the period (owners the caller may see)."""
    require(principal, "forecasts.read")
    if any(owner != principal.id for owner in owner_ids):
        require(principal, "forecasts.manage")
    rows = repository.latest_forecasts(session, start=period.start, end=period.end, scope=scope,
                                       owner_ids=owner_ids, types=(engine.CALL, engine.ADJUSTED_CALL))
    factors = repository.factors_of(session, (row.id for row in rows))
    found: dict[int, dict[str, ForecastRead]] = {}
    for row in rows:
        found.setdefault(row.owner_id, {})[row.forecast_type] = forecast_read(row, factors.get(row.id, ()))
    for calls in found.values():  # an adjustment of an earlier call is stale once the rep calls again
        call, adjusted = calls.get(engine.CALL), calls.get(engine.ADJUSTED_CALL)
        if call and adjusted and adjusted.created_at and call.created_at and adjusted.created_at < call.created_at:
            calls.pop(engine.ADJUSTED_CALL)
    return found


def get_call(session: Session, principal: Principal, *, call_id: int) -> ForecastRead:
    """One call (row-level security hides other reps' calls from a rep)."""
    require(principal, "forecasts.read")
    row = repository.get_forecast(session, call_id)
    if row is None or row.forecast_type != engine.CALL:
        raise NotFoundError(f"Call {call_id} does not exist (or you may not see it).")
    return forecast_read(row, repository.factors_of(session, [row.id]).get(row.id, ()))


# --- writing (the flows are the entry points) ------------------------------------------------------------------


def _save_snapshot(session: Session, principal: Principal, *, period: Period, scope: Scope, kind: str,
                   deals: Sequence | bytes, results: Sequence[engine.MethodResult], request_key: str | None = None,
                   note: str | None = None, adjusts_id: int | None = None,
                   at: datetime | None = None) -> tuple[ForecastSnapshot, list[Forecast]]:
    """A snapshot of the scope's deals (rows, or the CRM's COPY text) with the forecasts taken with it."""
    count = deals.count(b"\n") if isinstance(deals, bytes) else len(deals)
    snapshot = repository.insert_snapshot(session, start=period.start, end=period.end, scope=scope.kind,
                                          owner_id=scope.owner_id, kind=kind, taken_by=principal.id,
                                          deal_count=count, request_key=request_key, taken_at=at)
    if isinstance(deals, bytes):
        repository.copy_snapshot_deals(session, snapshot.id, deals)
    else:
        repository.insert_snapshot_deals(session, snapshot.id, deals)
    rows = [repository.insert_forecast(session, result, start=period.start, end=period.end, scope=scope.kind,
                                       owner_id=scope.owner_id, snapshot_id=snapshot.id, submitted_by=principal.id,
                                       note=note, adjusts_id=adjusts_id, created_at=at,
                                       request_key=request_key if result.method in (engine.CALL,
                                                                                    engine.ADJUSTED_CALL) else None)
            for result in results]
    return snapshot, rows


def check_call_scope(principal: Principal, scope: Scope) -> None:
    """A call is one's own: a rep's for themselves, a manager's for their team."""
    require(principal, "forecasts.read")
    if scope.kind == COMPANY or scope.owner_id != principal.id:
        raise ValidationError("Scope: you submit a call for yourself (or, as a manager, for your own team); "
                              "adjust someone else's call instead.")
    if scope.kind == TEAM:
        require(principal, "forecasts.manage")
