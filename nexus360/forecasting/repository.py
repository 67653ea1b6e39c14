"""Every query of the forecasting database: snapshots and their deals, forecasts and their factors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from nexus360.forecasting.engine import Factor, MethodResult
from nexus360.forecasting.models import Forecast, ForecastFactor, ForecastSnapshot, SnapshotDeal

SNAPSHOT_DEAL_COLUMNS = ("deal_id", "owner_id", "amount", "close_date", "stage_id", "category", "is_won", "created_on")
# One INSERT of many rows through arrays: row-level security rules out COPY, and row-by-row is too slow.
INSERT_SNAPSHOT_DEALS = text(
    "INSERT INTO forecast_snapshot_deals (snapshot_id, deal_id, owner_id, amount, close_date, stage_id, category, "
    "is_won, created_on) SELECT :snapshot_id, * FROM unnest(CAST(:deal_id AS bigint[]), CAST(:owner_id AS bigint[]), "
    "CAST(:amount AS numeric[]), CAST(:close_date AS date[]), CAST(:stage_id AS int[]), "
    "CAST(:category AS varchar[]), CAST(:is_won AS boolean[]), CAST(:created_on AS date[]))"
)


def find_snapshot_by_key(session: Session, request_key: str) -> ForecastSnapshot | None:
    return session.scalars(select(ForecastSnapshot).where(ForecastSnapshot.request_key == request_key)).first()


def insert_snapshot(session: Session, *, start: date, end: date, scope: str, owner_id: int | None, kind: str,
                    taken_by: int, deal_count: int | None, request_key: str | None,
                    taken_at: datetime | None = None) -> ForecastSnapshot:
    snapshot = ForecastSnapshot(period_start=start, period_end=end, scope=scope, owner_id=owner_id, kind=kind,
                                taken_by=taken_by, deal_count=deal_count, request_key=request_key)
    if taken_at is not None:
        snapshot.taken_at = taken_at
    session.add(snapshot)
    session.flush()
    return snapshot


def insert_snapshot_deals(session: Session, snapshot_id: int, deals: Sequence) -> None:
    """The snapshot's deals (objects with SNAPSHOT_DEAL_COLUMNS) in one statement."""
    if not deals:
        return
    columns = {name: [getattr(deal, name) for deal in deals] for name in SNAPSHOT_DEAL_COLUMNS}
    session.execute(INSERT_SNAPSHOT_DEALS, {"snapshot_id": snapshot_id, **columns})


def copy_snapshot_deals(session: Session, snapshot_id: int, data: bytes) -> None:
    """The snapshot's deals from COPY text (SNAPSHOT_DEAL_COLUMNS in order): copied into a temporary table, then
    inserted in one statement (row-level security forbids COPY into the table itself, and checks each row)."""
    if not data:
        return
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE incoming_snapshot_deals (deal_id bigint, owner_id bigint, amount numeric, "
                       "close_date date, stage_id int, category varchar(20), is_won boolean, created_on date) "
                       "ON COMMIT DROP")
        with cursor.copy("COPY incoming_snapshot_deals FROM STDIN") as copy:
            copy.write(data)
        cursor.execute("INSERT INTO forecast_snapshot_deals (snapshot_id, deal_id, owner_id, amount, close_date, "
                       "stage_id, category, is_won, created_on) SELECT %s, * FROM incoming_snapshot_deals",
                       (snapshot_id,))
        cursor.execute("DROP TABLE incoming_snapshot_deals")


def insert_forecast(session: Session, result: MethodResult, *, start: date, end: date, scope: str,
                    owner_id: int | None, snapshot_id: int | None, submitted_by: int | None, note: str | None = None,
                    adjusts_id: int | None = None, request_key: str | None = None,
                    created_at: datetime | None = None) -> Forecast:
    """A forecast row and its factors."""
    forecast = Forecast(
        period_start=start, period_end=end, forecast_type=result.method, forecast_value=result.value,
        confidence_score=result.confidence, scope=scope, owner_id=owner_id, snapshot_id=snapshot_id,
        submitted_by=submitted_by, note=note, explanation=result.explanation or None, low_value=result.low,
        high_value=result.high, adjusts_id=adjusts_id, request_key=request_key,
    )
    if created_at is not None:
        forecast.created_at = forecast.updated_at = created_at
    session.add(forecast)
    session.flush()
    session.add_all(_factor_row(forecast.id, factor, created_at) for factor in result.factors)
    session.flush()
    return forecast


def _factor_row(forecast_id: int, factor: Factor, created_at: datetime | None) -> ForecastFactor:
    row = ForecastFactor(forecast_id=forecast_id, factor_name=factor.name[:100], factor_value=factor.value,
                         weight=factor.weight, contributes=factor.contributes)
    if created_at is not None:
        row.created_at = created_at
    return row


def find_forecast_by_key(session: Session, request_key: str) -> Forecast | None:
    return session.scalars(select(Forecast).where(Forecast.request_key == request_key)).first()


def get_forecast(session: Session, forecast_id: int, *, lock: bool = False) -> Forecast | None:
    statement = select(Forecast).where(Forecast.id == forecast_id)
    return session.scalars(statement.with_for_update() if lock else statement).first()


def mark_notified(session: Session, forecast_id: int, at: datetime) -> None:
    session.execute(update(Forecast).where(Forecast.id == forecast_id).values(notified_at=at))


def latest_forecasts(session: Session, *, start: date, end: date, scope: str, owner_ids: Sequence[int] | None,
                     types: Sequence[str]) -> list[Forecast]:
    """The newest row per owner and type of the period and scope (owner_ids None: the company's)."""
    statement = (
        select(Forecast)
        .where(Forecast.period_start == start, Forecast.period_end == end, Forecast.scope == scope,
               Forecast.forecast_type.in_(list(types)))
        .ext(distinct_on(Forecast.owner_id, Forecast.forecast_type))
        .order_by(Forecast.owner_id, Forecast.forecast_type, Forecast.created_at.desc(), Forecast.id.desc())
    )
    statement = (statement.where(Forecast.owner_id.is_(None)) if owner_ids is None
                 else statement.where(Forecast.owner_id.in_(list(owner_ids))))
    return list(session.scalars(statement))


def factors_of(session: Session, forecast_ids: Iterable[int]) -> dict[int, list[ForecastFactor]]:
    ids = sorted(set(forecast_ids))
    found: dict[int, list[ForecastFactor]] = defaultdict(list)
    if ids:
        statement = select(ForecastFactor).where(ForecastFactor.forecast_id.in_(ids)).order_by(ForecastFactor.id)
        for factor in session.scalars(statement):
            found[factor.forecast_id].append(factor)
    return found


def forecasts_of_periods(session: Session, *, starts: Sequence[date], scope: str, owner_ids: Sequence[int] | None,
                         types: Sequence[str], until: datetime) -> list[tuple]:
    """(period_start, period_end, owner_id, type, value, low, high, created_at) of rows made up to `until`."""
    statement = (
        select(Forecast.period_start, Forecast.period_end, Forecast.owner_id, Forecast.forecast_type,
               Forecast.forecast_value, Forecast.low_value, Forecast.high_value, Forecast.created_at)
        .where(Forecast.period_start.in_(list(starts)), Forecast.scope == scope,
               Forecast.forecast_type.in_(list(types)), Forecast.created_at <= until)
        .order_by(Forecast.created_at, Forecast.id)
    )
    statement = (statement.where(Forecast.owner_id.is_(None)) if owner_ids is None
                 else statement.where(Forecast.owner_id.in_(list(owner_ids))))
    return [tuple(row) for row in session.execute(statement)]


def list_snapshots(session: Session, *, start: date, end: date, scope: str, owner_id: int | None,
                   limit: int = 200) -> list[ForecastSnapshot]:
    """Snapshots of the period and scope that kept their deals, newest first."""
    statement = (
        select(ForecastSnapshot)
        .where(ForecastSnapshot.period_start == start, ForecastSnapshot.period_end == end,
               ForecastSnapshot.scope == scope, ForecastSnapshot.deal_count.is_not(None))
        .order_by(ForecastSnapshot.taken_at.desc(), ForecastSnapshot.id.desc())
        .limit(limit)
    )
    statement = (statement.where(ForecastSnapshot.owner_id.is_(None)) if owner_id is None
                 else statement.where(ForecastSnapshot.owner_id == owner_id))
    return list(session.scalars(statement))


def get_snapshot(session: Session, snapshot_id: int) -> ForecastSnapshot | None:
    return session.get(ForecastSnapshot, snapshot_id)


DIFF_SIDES = """
b AS (SELECT deal_id, owner_id, amount, close_date, category, is_won, created_on FROM forecast_snapshot_deals
      WHERE snapshot_id = :before AND (:all_owners OR owner_id = ANY(:owners))),
a AS (SELECT deal_id, owner_id, amount, close_date, category, is_won, created_on FROM {later}
      WHERE {later_filter} (:all_owners OR owner_id = ANY(:owners)))"""
DIFF = """
WITH {sides}
SELECT 'before', b.* FROM b LEFT JOIN a USING (deal_id)
WHERE a.deal_id IS NULL OR a.amount <> b.amount OR a.is_won <> b.is_won
UNION ALL
SELECT 'after', a.* FROM a LEFT JOIN b USING (deal_id)
WHERE b.deal_id IS NULL OR a.amount <> b.amount OR a.is_won <> b.is_won
UNION ALL
SELECT 'totals', NULL, NULL, (SELECT coalesce(sum(amount), 0) FROM b), NULL, NULL, NULL, NULL
UNION ALL
SELECT 'totals', NULL, NULL, (SELECT coalesce(sum(amount), 0) FROM a), NULL, NULL, NULL, NULL
"""


def diff_snapshots(session: Session, *, before_id: int, after_id: int | None, live: bytes | None,
                   owner_ids: Sequence[int] | None) -> tuple[list[tuple], list[tuple], tuple]:
    """(deals of `before` that differ, deals of the later side that differ, (start total, end total)): the later
    side is snapshot `after_id`, or `live` (the CRM's COPY text of the period's deals now, copied in here), so
    only the deals that moved leave the database, however many the snapshots hold."""
    later, later_filter = "forecast_snapshot_deals", "snapshot_id = :after AND"
    if live is not None:
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE live_deals (deal_id bigint, owner_id bigint, amount numeric, "
                           "close_date date, stage_id int, category varchar(20), is_won boolean, created_on date) "
                           "ON COMMIT DROP")
            with cursor.copy("COPY live_deals FROM STDIN") as copy:
                copy.write(live)
        later, later_filter = "live_deals", ""
    statement = text(DIFF.format(sides=DIFF_SIDES.format(later=later, later_filter=later_filter)))
    rows = session.execute(statement, {"before": before_id, "after": after_id, "all_owners": owner_ids is None,
                                       "owners": [int(owner) for owner in owner_ids or ()]}).all()
    if live is not None:
        session.execute(text("DROP TABLE live_deals"))
    totals = tuple(row[3] for row in rows if row[0] == "totals")
    return ([tuple(row[1:]) for row in rows if row[0] == "before"],
            [tuple(row[1:]) for row in rows if row[0] == "after"], totals)


def snapshot_deals(session: Session, snapshot_id: int, *, owner_ids: Sequence[int] | None) -> list[tuple]:
    statement = select(*(getattr(SnapshotDeal, name) for name in SNAPSHOT_DEAL_COLUMNS)).where(
        SnapshotDeal.snapshot_id == snapshot_id)
    if owner_ids is not None:
        statement = statement.where(SnapshotDeal.owner_id.in_(list(owner_ids)))
    return [tuple(row) for row in session.execute(statement)]


def count_rows(session: Session) -> dict[str, int]:
    """Rows per table of the forecasting database (the demo loader reports them)."""
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (ForecastSnapshot, SnapshotDeal, Forecast, ForecastFactor)}
