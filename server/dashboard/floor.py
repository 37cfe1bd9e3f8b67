"""The floor at a glance: orders by status and by ship-by urgency, today's shipped and late orders, goods waiting
on docks and in staging, count variances waiting for approval, printers, low stock and background jobs.

Each function is a few aggregate queries through the domains' query functions; the numbers are the ones the
pages behind them count (orders_by_urgency uses the order list's own filter, so a click lands on as many orders
as the dashboard said).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from ..counts import queries as counts
from ..inventory import queries as stock
from ..inventory.codes import LocationKind
from ..jobs import queries as jobs
from ..orders import queries as orders
from ..orders.ship_by import zone
from ..orders.urgency import Urgency, start_of_tomorrow
from ..printing import queries as printing
from ..replenishment import queries as replenishment
from ..shipping import queries as shipping

WAITING_KINDS = (LocationKind.DOCK, LocationKind.STAGING)


def orders_by_status() -> dict[str, int]:
    """OrderStatus value → how many orders have it (every status present)."""
    return {status.value: n for status, n in orders.count_by_status().items()}


def urgency_filter(u: Urgency | str, now: datetime, tz: tzinfo | str) -> orders.OrderFilter:
    """The order list's filter behind an urgency count: orders not closed in that urgency class at `now`."""
    return orders.OrderFilter(status=orders.NOT_CLOSED, urgency=Urgency(u).value, now=now, tz=tz)


def orders_by_urgency(now: datetime, tz: tzinfo | str) -> dict[str, int]:
    """Urgency value → orders not shipped nor cancelled in that class (orders/urgency.py), at `now`."""
    return orders.count_orders({u.value: urgency_filter(u, now, tz) for u in Urgency})


def local_day(now: datetime, tz: tzinfo | str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the warehouse's local day that holds `now` (23 or 25 h on a DST change)."""
    local = zone(tz) if isinstance(tz, str) else tz
    start = datetime.combine(now.astimezone(local).date(), time(0), tzinfo=local).astimezone(UTC)
    return start, start_of_tomorrow(now, local)


def shipped_today(now: datetime, tz: tzinfo | str) -> dict[str, int]:
    """{"shipped": orders first ship-confirmed today (the warehouse's local day), "late": of them, confirmed
    after their ship-by}."""
    return shipping.orders_first_shipped_between(*local_day(now, tz))


def goods_waiting(now: datetime) -> list[dict]:
    """Per dock and staging location holding goods (on it, or on pallets standing on it): {"location", "kind",
    "units", "oldest_at", "minutes"}, minutes the oldest unit has waited at `now`; longest waiting first."""
    rows = stock.stock_waiting(WAITING_KINDS)
    for row in rows:
        at = row["oldest_at"]
        row["minutes"] = max(0, int((now - at) // timedelta(minutes=1))) if at is not None else None
    return rows


def open_variances() -> dict[str, int]:
    """{"count": variances waiting for approval, "value_cents": their value}."""
    return counts.pending_variance_totals()


def printers() -> list[dict]:
    """Active printers: {"name", "online", "status" (ready, problem, offline, unknown), "problems" (words),
    "queue" (jobs not printed yet)}."""
    return printing.printer_states()


def low_stock(limit: int) -> dict:
    """{"count": items at or below their reorder point, "rows": the `limit` furthest below, as dicts with the
    replenishment page's CSV columns}."""
    rows = [dict(zip(replenishment.LOW_STOCK_COLUMNS, replenishment.low_stock_csv_row(row), strict=True))
            for row in replenishment.low_stock(limit=limit)]
    return {"count": replenishment.count_low_stock(), "rows": rows}


def jobs_running() -> list[dict]:
    """Background jobs queued or running: {"id", "kind", "status", "done", "total", "label"}, oldest first."""
    return jobs.active_jobs()
