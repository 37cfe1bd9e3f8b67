"""Warehouse time: the pages show and take dates and times in the warehouse's timezone, the database keeps UTC."""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=8)
def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown WAREHOUSE_TIMEZONE %r: showing times in UTC", name)
        return timezone.utc


def zone_name() -> str:
    return current_app.config.get("WAREHOUSE_TIMEZONE") or "UTC"


def warehouse_tz():
    """The warehouse's timezone (app.config["WAREHOUSE_TIMEZONE"]; UTC when unset or unknown)."""
    return _zone(zone_name())


def local(moment: datetime | None) -> datetime | None:
    """A stored (UTC) time as warehouse wall-clock time."""
    return moment.astimezone(warehouse_tz()) if moment is not None else None


def today() -> date:
    """Today's date on the warehouse floor."""
    return datetime.now(warehouse_tz()).date()


def day_start(day: date) -> datetime:
    """The UTC instant the warehouse day `day` begins (local midnight; DST-safe)."""
    return datetime.combine(day, time.min, tzinfo=warehouse_tz()).astimezone(timezone.utc)


def day_range(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """[since, until) in UTC covering the warehouse days first … last, both included."""
    return (day_start(first) if first else None,
            day_start(last + timedelta(days=1)) if last else None)


def format_time(moment: datetime | None) -> str:
    """Warehouse wall-clock time to the second, as the pages show it."""
    return local(moment).strftime("%Y-%m-%d %H:%M:%S") if moment is not None else ""


def iso_time(moment: datetime | None) -> str:
    """Warehouse time with its UTC offset, as the CSV exports write it (unambiguous across DST)."""
    return local(moment).isoformat(timespec="seconds") if moment is not None else ""
