"""How urgent an order is, from its ship-by deadline (issue 8, item 6): the ONE urgency rule. Pure: no Flask,
no database. Order pages, the API's urgency filter and the dashboard all read it from here.

Four classes, each a half-open interval of ship-by times, so every deadline falls in exactly one:

- ``overdue``:   ship_by <  now. Due at the deadline instant itself is still on time (the channel counts an
  order late when it is confirmed *after* the expected ship date), so ship_by == now is not overdue.
- ``due_2h``:    now <= ship_by < now + 2 h.
- ``due_today``: now + 2 h <= ship_by < the start of tomorrow, in the warehouse's local time. "Today" is the
  warehouse's local day (23 or 25 hours long on a daylight-saving change). Late in the evening this class is
  empty: now + 2 h already lies in tomorrow.
- ``later``:     the rest, and an order without a ship-by deadline.

``urgency_bounds`` gives the same intervals as (start, end) aware UTC datetimes for SQL filters:
``start <= ship_by < end``, where ``None`` means unbounded. For ``later`` a filter must also take the orders
whose ship_by is NULL (see ``includes_missing``).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from flask_babel import lazy_gettext

from ..enums import LabelledStrEnum
from .ship_by import zone

DUE_SOON = timedelta(hours=2)


class Urgency(LabelledStrEnum):
    OVERDUE = "overdue", lazy_gettext("Overdue")
    DUE_2H = "due_2h", lazy_gettext("Due within 2 h")
    DUE_TODAY = "due_today", lazy_gettext("Due today")
    LATER = "later", lazy_gettext("Later")


def _aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime")
    return value.astimezone(UTC)


def _zone(tz: tzinfo | str) -> tzinfo:
    return zone(tz) if isinstance(tz, str) else tz


def start_of_tomorrow(now: datetime, tz: tzinfo | str) -> datetime:
    """The first instant of the warehouse's next local day, in UTC."""
    local = _zone(tz)
    today = _aware(now, "now").astimezone(local).date()
    return datetime.combine(today + timedelta(days=1), time(0), tzinfo=local).astimezone(UTC)


def urgency_bounds(u: Urgency | str, *, now: datetime, tz: tzinfo | str) -> tuple[datetime | None, datetime | None]:
    """The ship-by interval of an urgency class: ``start <= ship_by < end`` (None = unbounded), aware UTC."""
    u = Urgency(u)
    now = _aware(now, "now")
    soon = now + DUE_SOON
    tomorrow = max(start_of_tomorrow(now, tz), soon)  # after 22:00 local "today" has no room left
    return {
        Urgency.OVERDUE: (None, now),
        Urgency.DUE_2H: (now, soon),
        Urgency.DUE_TODAY: (soon, tomorrow),
        Urgency.LATER: (tomorrow, None),
    }[u]


def includes_missing(u: Urgency | str) -> bool:
    """Whether an order without a ship-by deadline belongs to the class (only ``later``)."""
    return Urgency(u) is Urgency.LATER


def urgency(ship_by: datetime | None, *, now: datetime, tz: tzinfo | str) -> Urgency:
    """The urgency class of a ship-by deadline at ``now`` (see the module docstring for the exact edges)."""
    if ship_by is None:
        return Urgency.LATER
    ship_by = _aware(ship_by, "ship_by")
    for u in Urgency:
        start, end = urgency_bounds(u, now=now, tz=tz)
        if (start is None or start <= ship_by) and (end is None or ship_by < end):
            return u
    raise AssertionError("the urgency intervals cover every instant")  # pragma: no cover
