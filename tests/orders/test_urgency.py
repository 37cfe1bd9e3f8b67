"""The urgency rule (server/orders/urgency.py): pure, exact edges, a non-UTC zone and its DST days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.orders.ship_by import end_of_day
from server.orders.urgency import Urgency, includes_missing, urgency, urgency_bounds

BERLIN = ZoneInfo("Europe/Berlin")
US = timedelta(microseconds=1)


def local(*args, tz=BERLIN) -> datetime:
    return datetime(*args, tzinfo=tz).astimezone(UTC)


NOW = local(2026, 6, 10, 9, 30)   # a Wednesday morning in Berlin (UTC+2)


@pytest.mark.parametrize("ship_by, expected", [
    (NOW - US, Urgency.OVERDUE),
    (NOW - timedelta(days=3), Urgency.OVERDUE),
    (NOW, Urgency.DUE_2H),                                  # due this very instant is still on time
    (NOW + timedelta(hours=2) - US, Urgency.DUE_2H),
    (NOW + timedelta(hours=2), Urgency.DUE_TODAY),
    (end_of_day(NOW.astimezone(BERLIN).date(), BERLIN), Urgency.DUE_TODAY),   # the usual ship-by: 23:59:59.999999
    (local(2026, 6, 11, 0, 0), Urgency.LATER),              # local midnight starts tomorrow
    (local(2026, 6, 20, 12, 0), Urgency.LATER),
    (None, Urgency.LATER),
])
def test_each_deadline_falls_in_exactly_one_class_with_exact_edges(ship_by, expected):
    assert urgency(ship_by, now=NOW, tz=BERLIN) is expected
    if ship_by is not None:
        hits = [u for u in Urgency
                if (lambda s, e: (s is None or s <= ship_by) and (e is None or ship_by < e))(
                    *urgency_bounds(u, now=NOW, tz=BERLIN))]
        assert hits == [expected]
    else:
        assert [u for u in Urgency if includes_missing(u)] == [Urgency.LATER]


def test_today_is_the_warehouse_local_day_not_the_utc_day():
    now = local(2026, 6, 10, 23, 30, tz=ZoneInfo("America/Los_Angeles"))   # 06:30 UTC on the 11th
    due_tonight_in_la = end_of_day(datetime(2026, 6, 10).date(), ZoneInfo("America/Los_Angeles"))
    assert urgency(due_tonight_in_la, now=now, tz="America/Los_Angeles") is Urgency.DUE_2H
    morning = local(2026, 6, 10, 8, 0, tz=ZoneInfo("America/Los_Angeles"))
    assert urgency(due_tonight_in_la, now=morning, tz="America/Los_Angeles") is Urgency.DUE_TODAY
    # read with UTC days, tonight in Los Angeles (06:59 UTC on the 11th) would wrongly count as tomorrow
    assert urgency(due_tonight_in_la, now=morning, tz="UTC") is Urgency.LATER


def test_late_in_the_evening_due_today_is_empty_and_later_starts_after_two_hours():
    evening = local(2026, 6, 10, 22, 45)
    start, end = urgency_bounds(Urgency.DUE_TODAY, now=evening, tz=BERLIN)
    assert start == end == evening + timedelta(hours=2)
    assert urgency_bounds(Urgency.LATER, now=evening, tz=BERLIN) == (evening + timedelta(hours=2), None)
    assert urgency(local(2026, 6, 11, 0, 30), now=evening, tz=BERLIN) is Urgency.DUE_2H


@pytest.mark.parametrize("day, hours", [((2026, 3, 29), 23), ((2026, 10, 25), 25)])
def test_a_daylight_saving_day_ends_at_local_midnight(day, hours):
    now = local(*day, 1, 0)                      # before the change (at 02:00 or 03:00 local)
    start_of_day = local(*day, 0, 0)
    _, tomorrow = urgency_bounds(Urgency.DUE_TODAY, now=now, tz="Europe/Berlin")
    assert tomorrow - start_of_day == timedelta(hours=hours)
    assert tomorrow == datetime(day[0], day[1], day[2] + 1, tzinfo=BERLIN).astimezone(UTC)
    ship_by = end_of_day(datetime(*day).date(), BERLIN)
    assert urgency(ship_by, now=now, tz="Europe/Berlin") is Urgency.DUE_TODAY
    assert urgency(ship_by + US, now=now, tz="Europe/Berlin") is Urgency.LATER


def test_bounds_are_aware_utc_and_contiguous():
    edges = [urgency_bounds(u, now=NOW, tz=BERLIN) for u in Urgency]
    assert edges[0][0] is None and edges[-1][1] is None
    for (_, end), (start, _) in zip(edges, edges[1:]):
        assert end == start and end.tzinfo is UTC


def test_codes_labels_and_bad_input():
    assert [u.value for u in Urgency] == ["overdue", "due_2h", "due_today", "later"]
    assert str(Urgency.DUE_2H.label) == "Due within 2 h"
    assert urgency_bounds("due_2h", now=NOW, tz=BERLIN) == (NOW, NOW + timedelta(hours=2))
    with pytest.raises(ValueError):
        urgency(datetime(2026, 6, 10, 12), now=NOW, tz=BERLIN)        # naive
    with pytest.raises(ValueError):
        urgency_bounds(Urgency.LATER, now=datetime(2026, 6, 10), tz=BERLIN)
    with pytest.raises(ValueError):
        urgency_bounds("soonish", now=NOW, tz=BERLIN)
    with pytest.raises(ValueError):
        urgency(NOW, now=NOW, tz="Mars/Olympus_Mons")
