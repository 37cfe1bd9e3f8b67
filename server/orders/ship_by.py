"""Ship-by deadlines from the handling time (issue 8, item 1): pure calendar arithmetic, no Flask, no database.

The rule follows ``../shared/reference/amazon-fbm.md`` §6 ("Handling time → expected ship date"):

- the handling time is counted in *business days*: weekends and holidays do not count;
- an order placed after the warehouse's daily cut-off rolls to the next day;
- the reference's worked examples (2 business days, no holidays): ordered Friday → ship by Tuesday,
  ordered Monday before the cut-off → ship by Wednesday, ordered Saturday → ship by Tuesday.

So the expected ship date is the *n*-th business day strictly after the order's day, where the order's day is
its local date, or the next calendar day when it was placed on a business day at or after the cut-off (a closed
day has no cut-off). With a handling time of 0
the order ships on its day if that is a business day, else on the next business day.

A weekend or holiday order is thereby counted from the next business day (Saturday: Monday is day 1, Tuesday
day 2, as in the reference). An order after Friday's cut-off behaves like a Saturday order (Tuesday): it can't
be later than a Saturday order without the deadline going backwards in time, and the reference fixes Saturday at
Tuesday. The cut-off is read as an instant (its first occurrence on the day), so a cut-off inside a repeated
hour in autumn still gives deadlines that never move backwards as the purchase time moves forwards.

The late-shipment rate counts orders confirmed *after the expected ship date* (§5): the deadline is the end of
that local day, returned as an aware UTC datetime (the last microsecond of the day, so it lies on the ship day
in local time). The channel's own ``LatestShipDate`` wins when it gives one (§6): this is the fallback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SATURDAY, SUNDAY = 5, 6
WEEKEND = frozenset({SATURDAY, SUNDAY})
DEFAULT_HANDLING_DAYS = 2
DEFAULT_CUTOFF = time(14, 0)
MAX_HANDLING_DAYS = 366  # the channel allows 1–30; anything near a year is a typo, not a handling time


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; ValueError when the name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def is_business_day(day: date, non_working_weekdays: Iterable[int] = WEEKEND,
                    holidays: Iterable[date] = ()) -> bool:
    return day.weekday() not in set(non_working_weekdays) and day not in set(holidays)


def order_day(purchased_at: datetime, cutoff: time, tz: ZoneInfo, working) -> date:
    """The local day an order counts from: its local date, or the next day when placed at/after the cut-off of a
    working day (a closed day has no cut-off: its orders already count from the next business day)."""
    day = purchased_at.astimezone(tz).date()
    # Compared in UTC: two datetimes sharing a tzinfo compare by wall clock and would ignore `fold`.
    cutoff_instant = datetime.combine(day, cutoff, tzinfo=tz).astimezone(UTC)  # fold=0: the first occurrence
    return day + timedelta(days=1) if working(day) and purchased_at.astimezone(UTC) >= cutoff_instant else day


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last microsecond of a local day, in UTC (23 or 25 hours after its start on a DST change)."""
    next_start = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return next_start - timedelta(microseconds=1)


def check_calendar(handling_days: int, cutoff: time, timezone: str, non_working_weekdays: frozenset[int]) -> ZoneInfo:
    """Raise ValueError for a calendar ``ship_day`` can't use; return its time zone."""
    if isinstance(handling_days, bool) or not isinstance(handling_days, int):
        raise ValueError("the handling time must be a whole number of business days")
    if not 0 <= handling_days <= MAX_HANDLING_DAYS:
        raise ValueError(f"the handling time must be 0 to {MAX_HANDLING_DAYS} business days")
    if not isinstance(cutoff, time) or cutoff.tzinfo is not None:
        raise ValueError("the cut-off must be a local time of day without a time zone")
    if not non_working_weekdays <= set(range(7)):
        raise ValueError("non-working weekdays are 0 (Monday) to 6 (Sunday)")
    if len(non_working_weekdays) == 7:
        raise ValueError("the warehouse must work on at least one weekday")
    return zone(timezone)


def ship_day(purchased_at: datetime, handling_days: int, *, cutoff: time = DEFAULT_CUTOFF,
             timezone: str = "UTC", non_working_weekdays: Iterable[int] = WEEKEND,
             holidays: Iterable[date] = ()) -> date:
    """The local date by which the order must ship (the expected ship date of the reference, §6)."""
    if not isinstance(purchased_at, datetime) or purchased_at.utcoffset() is None:
        raise ValueError("the purchase time must be an aware datetime")
    closed, off = frozenset(non_working_weekdays), frozenset(holidays)
    tz = check_calendar(handling_days, cutoff, timezone, closed)

    def working(day: date) -> bool:
        return day.weekday() not in closed and day not in off

    day = order_day(purchased_at, cutoff, tz, working)
    if handling_days == 0:
        while not working(day):
            day += timedelta(days=1)
        return day
    remaining = handling_days
    while remaining:
        day += timedelta(days=1)
        if working(day):
            remaining -= 1
    return day


def ship_by(purchased_at: datetime, handling_days: int, *, cutoff: time = DEFAULT_CUTOFF,
            timezone: str = "UTC", non_working_weekdays: Iterable[int] = WEEKEND,
            holidays: Iterable[date] = ()) -> datetime:
    """The ship-by deadline: the end of the expected ship date in the warehouse's time zone, as aware UTC.

    Follows ``../shared/reference/amazon-fbm.md`` §6 (see the module docstring for the exact rule). Raises
    ValueError for a naive purchase time, a negative or non-integer handling time, an unknown time zone, a
    cut-off with a time zone, or a week without working days.
    """
    day = ship_day(purchased_at, handling_days, cutoff=cutoff, timezone=timezone,
                   non_working_weekdays=non_working_weekdays, holidays=holidays)
    return end_of_day(day, zone(timezone))


def parse_cutoff(text: str) -> time:
    """"14:00" → time(14, 0); ValueError for anything else."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError) as error:
        raise ValueError(f"the cut-off must be HH:MM, not {text!r}") from error


def parse_holidays(text: str) -> frozenset[date]:
    """"2026-12-25, 2026-12-26" → the dates; blanks are skipped; ValueError on a bad date."""
    days = set()
    for part in (text or "").split(","):
        if part.strip():
            try:
                days.add(date.fromisoformat(part.strip()))
            except ValueError as error:
                raise ValueError(f"a holiday must be an ISO date (YYYY-MM-DD), not {part.strip()!r}") from error
    return frozenset(days)


@dataclass(frozen=True)
class WarehouseCalendar:
    """The warehouse's working calendar: what ``ship_by`` needs besides the purchase time."""

    timezone: str = "UTC"
    handling_days: int = DEFAULT_HANDLING_DAYS
    cutoff: time = DEFAULT_CUTOFF
    non_working_weekdays: frozenset[int] = WEEKEND
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_config(cls, config: Mapping) -> WarehouseCalendar:
        """From the app config (SHIPFLOOR_TIMEZONE, _HANDLING_DAYS, _CUTOFF, _HOLIDAYS in server/config.py)."""
        raw_days = config.get("HANDLING_DAYS", DEFAULT_HANDLING_DAYS)
        try:
            handling_days = int(str(raw_days).strip())
        except ValueError as error:
            raise ValueError(f"the handling time must be a whole number, not {raw_days!r}") from error
        return cls(timezone=config.get("WAREHOUSE_TIMEZONE") or "UTC", handling_days=handling_days,
                   cutoff=parse_cutoff(config.get("ORDER_CUTOFF") or "14:00"),
                   holidays=parse_holidays(config.get("HOLIDAYS") or ""))

    def __post_init__(self) -> None:
        object.__setattr__(self, "non_working_weekdays", frozenset(self.non_working_weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        check_calendar(self.handling_days, self.cutoff, self.timezone, self.non_working_weekdays)

    def ship_by(self, purchased_at: datetime, handling_days: int | None = None) -> datetime:
        """The deadline for an order placed at ``purchased_at`` (a SKU's own handling time may override)."""
        return ship_by(purchased_at, self.handling_days if handling_days is None else handling_days,
                       cutoff=self.cutoff, timezone=self.timezone,
                       non_working_weekdays=self.non_working_weekdays, holidays=self.holidays)
