"""Replenishment parameters from demand history: daily demand, its spread, safety stock and reorder point.

Demand is what left for customers: SHIP movements into the CUSTOMER virtual location, summed per UTC day.
Shipments, not picks, because a pick can still be put back (an order cancelled at the pack station) and a
shipped unit left exactly once; the lag of a day or two between pick and ship does not change a 90-day mean.
Days without shipments count as zero demand, so the spread reflects lumpy demand. Lead time and service level
are the supervisor's (ReplenishmentParams' own columns, defaults 7 days and 95 %); the rest is computed here.
Services flush, never commit.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ..catalog.models import Item
from ..db import utcnow
from ..extensions import db
from ..inventory.codes import MoveKind, VirtualLocation
from ..inventory.ledger import virtual
from ..inventory.ledger_models import StockMove
from .formulas import reorder_point, safety_stock
from .models import ReplenishmentParams

DEFAULT_DAYS = 90


def daily_demand(item_ids: Iterable[int], *, days: int = DEFAULT_DAYS, today: date | None = None
                 ) -> dict[int, list[int]]:
    """Units shipped to customers per day for each item over the `days` days ending with today (oldest first)."""
    today = today or datetime.now(UTC).date()
    first = today - timedelta(days=days - 1)
    ids = list(item_ids)
    series = {item_id: [0] * days for item_id in ids}
    if not ids:
        return series
    customer = virtual(VirtualLocation.CUSTOMER)
    start = datetime.combine(first, time.min, tzinfo=UTC)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=UTC)
    rows = db.session.execute(
        sa.select(StockMove.item_id, StockMove.created_at, StockMove.qty)
        .where(StockMove.kind == MoveKind.SHIP, StockMove.dst_id == customer.id, StockMove.item_id.in_(ids),
               StockMove.created_at >= start, StockMove.created_at < end))
    for item_id, moment, qty in rows:
        day = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()
        series[item_id][(day - first).days] += qty
    return series


def compute_params(items: Iterable[Item] | None = None, *, days: int = DEFAULT_DAYS, today: date | None = None
                   ) -> list[ReplenishmentParams]:
    """Recompute daily demand (mean and population standard deviation), safety stock and reorder point of the
    items (all active items when None) from the last `days` days, creating their parameters with the defaults
    where missing. Returns the parameters, flushed."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if items is None:
        items = db.session.scalars(sa.select(Item).where(Item.active).order_by(Item.id)).all()
    items = list(items)
    existing = {p.item_id: p for p in db.session.scalars(
        sa.select(ReplenishmentParams).where(ReplenishmentParams.item_id.in_([i.id for i in items])))}
    series = daily_demand([i.id for i in items], days=days, today=today)
    now = utcnow()
    out = []
    for item in items:
        params = existing.get(item.id)
        if params is None:
            params = ReplenishmentParams(item_id=item.id, lead_time_days=7.0, lead_time_sd_days=0.0,
                                         service_level=0.95)
            db.session.add(params)
        update_params(params, series[item.id], computed_at=now)
        out.append(params)
    db.session.flush()
    return out


def update_params(params: ReplenishmentParams, demand: list[int], *, computed_at: datetime) -> None:
    """Set the computed columns from a daily demand series and the params' own lead time and service level."""
    mean = statistics.fmean(demand) if demand else 0.0
    spread = statistics.pstdev(demand) if len(demand) > 1 else 0.0
    ss = safety_stock(service_level=params.service_level, daily_demand=mean, demand_sd=spread,
                      lead_time=params.lead_time_days, lead_time_sd=params.lead_time_sd_days or 0.0)
    params.daily_demand = round(mean, 4)
    params.daily_demand_sd = round(spread, 4)
    params.safety_stock = ss
    params.reorder_point = reorder_point(daily_demand=mean, lead_time=params.lead_time_days, safety_stock_units=ss)
    params.computed_at = computed_at


def set_lead_time(item: Item, *, lead_time_days: float, lead_time_sd_days: float = 0.0,
                  service_level: float | None = None) -> ReplenishmentParams:
    """The supervisor's inputs for an item (recomputed on the next compute_params)."""
    params = db.session.get(ReplenishmentParams, item.id)
    if params is None:
        params = ReplenishmentParams(item_id=item.id, service_level=0.95)
        db.session.add(params)
    params.lead_time_days = lead_time_days
    params.lead_time_sd_days = lead_time_sd_days
    if service_level is not None:
        params.service_level = service_level
    db.session.flush()
    return params


def set_item_inputs(item: Item, *, lead_time_days: float, lead_time_sd_days: float = 0.0,
                    service_level: float | None = None, days: int = DEFAULT_DAYS) -> ReplenishmentParams:
    """Set an item's lead time (and service level) and recompute its safety stock and reorder point now."""
    set_lead_time(item, lead_time_days=lead_time_days, lead_time_sd_days=lead_time_sd_days,
                  service_level=service_level)
    compute_params([item], days=days)
    return db.session.get(ReplenishmentParams, item.id)


__all__ = ["compute_params", "daily_demand", "set_item_inputs", "set_lead_time", "update_params", "DEFAULT_DAYS"]
