"""People and devices on the dashboard: units and scans per person and per hour of the warehouse day, error
scans, and each handheld's last report.

Where the numbers come from (each domain's query functions; the sums are SQL):
- picked units: the ledger's pick movements, by the user booked on them (inventory.queries.pick_moves); a pick
  made in parts counts each part when it was booked; reversals are not work and are left out;
- packed units: the units in the packages a person closed, when they closed them (packing.queries.packages_packed);
- scans and error scans: the scan log (scanning.queries.scan_rows), by this counting rule —
  * a row of POST /api/scan is one scan; an error when its outcome is not "ok" (unknown code, bad check digit);
  * a refusal a screen made itself (POST /api/scans/refusals: the row has `expected`) is one error scan, but no
    second scan when /api/scan resolved that code first (the row has the `kind` it resolved to): that scan's
    own row, outcome "ok", counts it. A refusal judged offline (no kind) had no /api/scan row: it is the scan.
  So a wrong bin scanned online is 1 scan, 1 error; offline 1 scan, 1 error; an unknown code 1 scan, 1 error.
  Scans accepted offline reach the server only as the writes they led to: they are not counted as scans.

"Today" is the warehouse's local day up to `now` (events at `now` or later are not in it): from local midnight,
in the time zone `tz`; its hours are local hours (23 or 25 of them on a daylight-saving change; the repeated
hour of an autumn night is summed into one).

A person's active hours: from their first to their last event of the day (pick, package, scan), less every
gap longer than 15 minutes between two consecutive events; at least a quarter hour (one event is 15 minutes of
work). Rates per hour divide by it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..auth import queries as auth_queries
from ..devices import queries as device_queries
from ..extensions import db
from ..inventory import queries as inventory_queries
from ..packing import queries as packing_queries
from ..scanning import queries as scan_queries

IDLE_GAP = timedelta(minutes=15)  # a longer pause between two events is not active time
MIN_ACTIVE = timedelta(minutes=15)  # the least active time of anyone who worked at all
DEVICE_WINDOW = timedelta(hours=12)  # devices that reported within this long before now are listed
COUNTS = ("picked_units", "packed_units", "scans", "error_scans")


def _zone(tz: tzinfo | str) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _aware(now: datetime) -> datetime:
    if now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC)


def day_window(now: datetime, tz: tzinfo | str) -> tuple[datetime, datetime]:
    """[local midnight of now's warehouse day, now) in UTC."""
    zone, now = _zone(tz), _aware(now)
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    return midnight.astimezone(UTC), now


def local_hours(since: datetime, until: datetime, tz: tzinfo | str) -> list[tuple[datetime, int]]:
    """The local hours met in [since, until) as (UTC instant the hour ends, local hour), in time order."""
    zone = _zone(tz)
    step = timedelta(minutes=15)  # every offset in use is a multiple of 15 minutes
    out: list[tuple[datetime, int]] = []
    moment = since
    while moment < until:
        hour = moment.astimezone(zone).hour
        if out and out[-1][1] == hour:
            out[-1] = (min(moment + step, until), hour)
        else:
            out.append((min(moment + step, until), hour))
        moment += step
    return out


def _events(since: datetime, until: datetime):
    """Every counted event of [since, until): (user_id, at, picked, packed, scans, errors), one row each."""
    picks = inventory_queries.pick_moves(since, until).subquery()
    packs = packing_queries.packages_packed(since, until).subquery()
    scans = scan_queries.scan_rows(since, until).subquery()

    def row(source, picked=None, packed=None, counted=None, errors=None):
        zero = sa.literal_column("0")
        return sa.select(source.c.user_id, source.c.at, (zero if picked is None else picked).label("picked"),
                         (zero if packed is None else packed).label("packed"),
                         (zero if counted is None else counted).label("scans"),
                         (zero if errors is None else errors).label("errors"))

    return sa.union_all(row(picks, picked=picks.c.units), row(packs, packed=packs.c.units),
                        row(scans, counted=scans.c.scans, errors=scans.c.errors)).subquery("events")


def _seconds_between(later, earlier):
    """later − earlier in seconds, to the millisecond, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.round(sa.cast(sa.extract("epoch", later - earlier), sa.Numeric), 3)
    # julianday() keeps milliseconds; rounding drops the float noise of the day-fraction arithmetic.
    return sa.func.round((sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0, 3)


def _sums(events):
    return [sa.func.coalesce(sa.func.sum(events.c[column]), 0).label(name)
            for column, name in zip(("picked", "packed", "scans", "errors"), COUNTS)]


def throughput_today(now: datetime, tz: tzinfo | str) -> list[dict]:
    """Per person who worked today: units picked and packed, scans and error scans, active hours and rates per
    hour; most units first, then by name."""
    since, until = day_window(now, tz)
    events = _events(since, until)
    previous = sa.func.lag(events.c.at).over(partition_by=events.c.user_id, order_by=events.c.at)
    paced = sa.select(events, previous.label("previous")).subquery("paced")
    gap = _seconds_between(paced.c.at, paced.c.previous)
    active = sa.func.coalesce(sa.func.sum(sa.case((gap <= IDLE_GAP.total_seconds(), gap), else_=0)), 0)
    rows = db.session.execute(sa.select(paced.c.user_id, *_sums(paced), active.label("active_s"))
                              .group_by(paced.c.user_id)).all()
    who = auth_queries.people(r.user_id for r in rows)
    out = []
    for r in rows:
        hours = max(float(r.active_s), MIN_ACTIVE.total_seconds()) / 3600
        counts = {name: int(getattr(r, name)) for name in COUNTS}
        person = who.get(r.user_id, {"user": str(r.user_id), "name": "", "role": ""})
        out.append({**person, **counts, "hours_active": round(hours, 2),
                    "units_per_hour": round((counts["picked_units"] + counts["packed_units"]) / hours, 1),
                    "scans_per_hour": round(counts["scans"] / hours, 1)})
    return sorted(out, key=lambda p: (-(p["picked_units"] + p["packed_units"]), p["name"], p["user"]))


def hourly_today(now: datetime, tz: tzinfo | str) -> list[dict]:
    """Units picked and packed, scans and error scans in each local hour 0…23 of today (hours to come: zeros)."""
    since, until = day_window(now, tz)
    events = _events(since, until)
    hours = local_hours(since, until, tz)
    found = {}
    if hours:  # none when now is local midnight: nothing has happened today yet
        # The events lie in [since, until): the first local hour whose end lies after an event is its hour.
        hour = sa.case(*((events.c.at < end, h) for end, h in hours))
        rows = db.session.execute(sa.select(hour.label("hour"), *_sums(events)).group_by(hour)).all()
        found = {r.hour: {name: int(getattr(r, name)) for name in COUNTS} for r in rows}
    return [{"hour": h, **found.get(h, dict.fromkeys(COUNTS, 0))} for h in range(24)]


def devices_now(now: datetime) -> list[dict]:
    """Every handheld that reported in the last 12 hours, as last reported, and whether it is signed in now:
    those with refused writes first, then those with writes waiting, then the newest report first."""
    now = _aware(now)
    rows = device_queries.reports_since(now - DEVICE_WINDOW)
    who = auth_queries.people(r.user_id for r in rows)
    signed_in = auth_queries.devices_signed_in((r.device_id for r in rows), now)
    return [{"device_id": r.device_id, "user": who.get(r.user_id, {}).get("user", ""),
             "name": who.get(r.user_id, {}).get("name", ""), "screen": r.screen or "", "batch": r.batch_id,
             "queued": r.queued, "refused": r.refused, "oldest_queued_at": r.oldest_queued_at,
             "reported_at": r.reported_at, "signed_in": r.device_id in signed_in} for r in rows]
