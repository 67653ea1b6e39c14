"""What changed between two snapshots of a period (forecasting + crm + auth): the reconciling waterfall with
the deals behind each bar, titles and owners from their own databases."""

from __future__ import annotations

from contextlib import ExitStack

from nexus360.auth.schemas import Principal
from nexus360.common.periods import Period, now_utc, parse_period
from nexus360.crm.deals import service as deal_service
from nexus360.crm.forecast import service as crm_forecast
from nexus360.db import Database, session_scope
from nexus360.forecasting import service
from nexus360.forecasting.movement import engine
from nexus360.forecasting.movement import service as movement_service
from nexus360.forecasting.movement.schemas import BarRead, MovementRead, MoveRead, SnapshotChoice
from nexus360.forecasting.schemas import Scope


def list_snapshots(principal: Principal, *, period: str | Period, scope: str | Scope) -> list[SnapshotChoice]:
    """The scope's snapshots of the period with their deals, newest first, for the movement's pickers."""
    period = period if isinstance(period, Period) else parse_period(period)
    scope = scope if isinstance(scope, Scope) else Scope.parse(scope)
    with ExitStack() as stack:
        auth = stack.enter_context(session_scope(Database.AUTH, actor=principal))
        fc = stack.enter_context(session_scope(Database.FORECASTING, actor=principal))
        service.resolve_owners(auth, principal, scope)
        snapshots = movement_service.list_snapshots(fc, principal, period=period, scope=scope)
        names = service.user_names(auth, principal, {s.taken_by for s in snapshots if s.taken_by is not None})
    return [_choice(snapshot, names) for snapshot in snapshots]


def _choice(snapshot, names: dict[int, str]) -> SnapshotChoice:
    return SnapshotChoice(id=snapshot.id, taken_at=snapshot.taken_at, kind=snapshot.kind,
                          taken_by=names.get(snapshot.taken_by, "someone"), deal_count=snapshot.deal_count or 0)


def get_movement(principal: Principal, *, period: str | Period, scope: str | Scope, before_id: int,
                 after_id: int | None = None) -> MovementRead:
    """From snapshot `before_id` to `after_id` (None: now, from the CRM), reconciled to the cent."""
    period = period if isinstance(period, Period) else parse_period(period)
    scope = scope if isinstance(scope, Scope) else Scope.parse(scope)
    now = now_utc().replace(tzinfo=None)
    with ExitStack() as stack:
        auth, crm, fc = (stack.enter_context(session_scope(database, actor=principal))
                         for database in (Database.AUTH, Database.CRM, Database.FORECASTING))
        owners = service.resolve_owners(auth, principal, scope)
        before = movement_service.get_snapshot(fc, principal, snapshot_id=before_id, period=period, scope=scope)
        after = (movement_service.get_snapshot(fc, principal, snapshot_id=after_id, period=period, scope=scope)
                 if after_id is not None else None)
        live = (crm_forecast.copy_period_deals(crm, principal, start=period.start, end=period.end, owner_ids=owners)
                if after is None else None)
        earlier, later, totals = movement_service.diff(fc, principal, before_id=before.id,
                                                       after_id=after.id if after else None, live=live,
                                                       owner_ids=owners)
        later_at = movement_service.taken_at(after, now)
        earlier_ids, later_ids = {d.deal_id for d in earlier}, {d.deal_id for d in later}
        gone = tuple(sorted(earlier_ids - later_ids))
        fates = {deal_id: engine.Fate(is_lost=state.is_lost, close_date=state.close_date, stage=state.stage)
                 for deal_id, state in crm_forecast.list_deal_states(crm, principal, deal_ids=gone, at=later_at,
                                                                     owner_ids=owners).items()}
        came = tuple(sorted(later_ids - earlier_ids))
        then = crm_forecast.list_deal_states(crm, principal, deal_ids=came, at=before.taken_at, owner_ids=owners)
        movement = engine.reconcile(earlier, later, taken_before=before.taken_at.date(), fates=fates, totals=totals,
                                    was_lost=[deal_id for deal_id, state in then.items() if state.is_lost],
                                    period_start=period.start, period_end=period.end)
        titles = deal_service.get_deal_titles(crm, principal, deal_ids=tuple(m.deal_id for m in movement.moves))
        names = service.user_names(auth, principal, {m.owner_id for m in movement.moves}
                                   | {s.taken_by for s in (before, after) if s is not None and s.taken_by})
    moves = [MoveRead(deal_id=m.deal_id, title=titles.get(m.deal_id, "A deleted deal"),
                      owner=names.get(m.owner_id, "Unknown user"), bar=m.bar, bar_label=engine.BAR_LABELS[m.bar],
                      change=m.change, before=m.before, after=m.after, note=m.note) for m in movement.moves]
    bars = [BarRead(bar=bar, label=engine.BAR_LABELS[bar], amount=amount,
                    deals=sum(1 for m in movement.moves if m.bar == bar)) for bar, amount in movement.bars.items()]
    return MovementRead(period_start=period.start, period_end=period.end, before=_choice(before, names),
                        after=_choice(after, names) if after is not None else None, start=movement.start,
                        end=movement.end, bars=bars, moves=moves, residual=movement.residual,
                        won_since=movement.won_since)
