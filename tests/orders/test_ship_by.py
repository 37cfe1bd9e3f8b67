"""Ship-by deadlines (issue 8, acceptance 1): weekends, the cut-off, holidays and DST in non-UTC zones. Pure, no DB."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.config import Config
from server.orders.ship_by import WarehouseCalendar, is_business_day, ship_by, ship_day

LA = "America/Los_Angeles"
BERLIN = "Europe/Berlin"
EVERY_DAY = frozenset()  # a warehouse open seven days a week, to put a deadline on a DST Sunday


def at(zone: str, y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0, fold: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, fold=fold, tzinfo=ZoneInfo(zone))


def day_of(purchased_at: datetime, handling: int = 2, zone: str = LA, **kw) -> date:
    return ship_day(purchased_at, handling, timezone=zone, **kw)


# The week of Monday 30 November 2026 in Los Angeles; cut-off 14:00 unless said.

@pytest.mark.parametrize(("ordered", "expected"), [
    (at(LA, 2026, 11, 30), date(2026, 12, 2)),      # Monday before the cut-off → Wednesday (reference §6)
    (at(LA, 2026, 12, 4), date(2026, 12, 8)),       # Friday → Tuesday (reference §6)
    (at(LA, 2026, 12, 5), date(2026, 12, 8)),       # Saturday → Tuesday (reference §6)
    (at(LA, 2026, 12, 6, 23, 59), date(2026, 12, 8)),  # Sunday late → Tuesday: a closed day has no cut-off
    (at(LA, 2026, 12, 4, 18), date(2026, 12, 8)),   # Friday after the cut-off: like Saturday
    (at(LA, 2026, 11, 30, 18), date(2026, 12, 3)),  # Monday after the cut-off → Thursday
])
def test_weekends_follow_the_reference_examples(ordered, expected):
    assert day_of(ordered) == expected


def test_the_deadline_is_the_end_of_the_local_ship_day_in_utc():
    deadline = ship_by(at(LA, 2026, 11, 30), 2, timezone=LA)
    assert deadline.tzinfo is UTC
    assert deadline == datetime(2026, 12, 3, 7, 59, 59, 999999, tzinfo=UTC)  # Wed 23:59:59.999999 PST
    assert deadline.astimezone(ZoneInfo(LA)).date() == date(2026, 12, 2)


@pytest.mark.parametrize(("seconds", "expected"), [
    (-1, date(2026, 12, 2)),  # 13:59:59: still Monday's order
    (0, date(2026, 12, 3)),   # 14:00:00: the cut-off itself rolls to Tuesday
    (1, date(2026, 12, 3)),
])
def test_the_cutoff_to_the_second(seconds, expected):
    ordered = at(LA, 2026, 11, 30, 14) + timedelta(seconds=seconds)
    assert day_of(ordered) == expected


def test_the_cutoff_is_local_time_whatever_zone_the_purchase_time_comes_in():
    before = datetime(2026, 11, 30, 21, 59, tzinfo=UTC)  # 13:59 PST
    after = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)    # 14:00 PST
    assert (day_of(before), day_of(after)) == (date(2026, 12, 2), date(2026, 12, 3))


def test_a_custom_cutoff():
    assert day_of(at(LA, 2026, 11, 30, 11), cutoff=time(11)) == date(2026, 12, 3)
    assert day_of(at(LA, 2026, 11, 30, 10, 59), cutoff=time(11)) == date(2026, 12, 2)


def test_holidays_do_not_count():
    assert day_of(at(LA, 2026, 11, 30), holidays={date(2026, 12, 1)}) == date(2026, 12, 3)
    # a holiday Monday right after the weekend: Friday's and Saturday's orders both wait for Wednesday
    monday_off = {date(2026, 12, 7)}
    assert day_of(at(LA, 2026, 12, 4), holidays=monday_off) == date(2026, 12, 9)
    assert day_of(at(LA, 2026, 12, 5), holidays=monday_off) == date(2026, 12, 9)
    # an order on the holiday itself counts from the next business day
    assert day_of(at(LA, 2026, 12, 7), holidays=monday_off) == date(2026, 12, 9)
    # Christmas and Boxing Day on Friday and Saturday, a Wednesday order
    assert day_of(at(LA, 2026, 12, 23), holidays={date(2026, 12, 25), date(2026, 12, 26)}) == date(2026, 12, 28)


def test_a_closed_day_has_no_cutoff_and_nothing_moves_back():
    friday_after = day_of(at(LA, 2026, 12, 4, 14))
    saturday, sunday_night = day_of(at(LA, 2026, 12, 5, 15)), day_of(at(LA, 2026, 12, 6, 23, 59, 59))
    monday_morning = day_of(at(LA, 2026, 12, 7, 0, 0, 0))
    assert friday_after == saturday == sunday_night == date(2026, 12, 8) < monday_morning == date(2026, 12, 9)
    # a holiday's evening order is no later than the holiday's morning one
    tuesday_off = {date(2026, 12, 1)}
    assert day_of(at(LA, 2026, 12, 1, 8), holidays=tuesday_off) == day_of(at(LA, 2026, 12, 1, 20),
                                                                           holidays=tuesday_off) == date(2026, 12, 3)


def test_other_non_working_weekdays():
    # a warehouse closed on Sunday and Monday: Saturday's order ships Wednesday
    assert day_of(at(LA, 2026, 12, 5), non_working_weekdays={6, 0}) == date(2026, 12, 9)


@pytest.mark.parametrize(("ordered", "expected"), [
    (at(LA, 2026, 11, 30), date(2026, 11, 30)),      # same day before the cut-off
    (at(LA, 2026, 11, 30, 15), date(2026, 12, 1)),  # next day after it
    (at(LA, 2026, 12, 4, 15), date(2026, 12, 7)),   # Friday after the cut-off → Monday
    (at(LA, 2026, 12, 5), date(2026, 12, 7)),       # Saturday → Monday
])
def test_zero_handling_days(ordered, expected):
    assert day_of(ordered, 0) == expected


@pytest.mark.parametrize(("ordered", "expected"), [
    (at(LA, 2026, 12, 2), date(2026, 12, 7)),       # Wednesday → Monday
    (at(LA, 2026, 12, 4), date(2026, 12, 9)),       # Friday → Wednesday
    (at(LA, 2026, 12, 5), date(2026, 12, 9)),       # Saturday → Wednesday
])
def test_three_handling_days(ordered, expected):
    assert day_of(ordered, 3) == expected


# Daylight saving: Los Angeles springs forward on Sun 8 March 2026 and falls back on Sun 1 November 2026;
# Berlin on Sun 29 March and Sun 25 October.

def test_los_angeles_spring_forward():
    # ordered Friday in PST, due Tuesday in PDT: the end of that day is 06:59:59.999999 UTC, not 07:59
    assert ship_by(at(LA, 2026, 3, 6), 2, timezone=LA) == datetime(2026, 3, 11, 6, 59, 59, 999999, tzinfo=UTC)
    # the changeover Sunday itself lasts 23 hours
    deadline = ship_by(at(LA, 2026, 3, 8, 1, 30), 0, timezone=LA, non_working_weekdays=EVERY_DAY)
    assert deadline == datetime(2026, 3, 9, 6, 59, 59, 999999, tzinfo=UTC)


def test_los_angeles_fall_back():
    assert ship_by(at(LA, 2026, 10, 30), 2, timezone=LA) == datetime(2026, 11, 4, 7, 59, 59, 999999, tzinfo=UTC)
    # the changeover Sunday lasts 25 hours: an order in the second 01:30 still ships that day
    second_half_past_one = at(LA, 2026, 11, 1, 1, 30, fold=1)
    deadline = ship_by(second_half_past_one, 0, timezone=LA, non_working_weekdays=EVERY_DAY)
    assert deadline == datetime(2026, 11, 2, 7, 59, 59, 999999, tzinfo=UTC)


def test_a_cutoff_inside_the_repeated_hour_never_moves_a_deadline_back():
    options = dict(cutoff=time(1, 30), timezone=LA, non_working_weekdays=EVERY_DAY)
    first = at(LA, 2026, 11, 1, 1, 45)          # 01:45 PDT, after the first 01:30
    later = at(LA, 2026, 11, 1, 1, 10, fold=1)  # 01:10 PST, 25 minutes later in real time
    assert first.astimezone(UTC) < later.astimezone(UTC)  # (same tzinfo: Python would compare wall clocks)
    assert ship_by(first, 0, **options) == ship_by(later, 0, **options)
    assert ship_day(later, 0, **options) == date(2026, 11, 2)


def test_a_cutoff_inside_the_skipped_hour():
    options = dict(cutoff=time(2, 30), timezone=LA, non_working_weekdays=EVERY_DAY)
    assert ship_day(at(LA, 2026, 3, 8, 1, 59), 0, **options) == date(2026, 3, 8)
    assert ship_day(at(LA, 2026, 3, 8, 3, 31), 0, **options) == date(2026, 3, 9)


def test_berlin_both_changes():
    assert ship_by(at(BERLIN, 2026, 3, 27), 2, timezone=BERLIN) == datetime(2026, 3, 31, 21, 59, 59, 999999,
                                                                             tzinfo=UTC)
    assert ship_by(at(BERLIN, 2026, 10, 23), 2, timezone=BERLIN) == datetime(2026, 10, 27, 22, 59, 59, 999999,
                                                                              tzinfo=UTC)
    # 13:30 UTC is 14:30 in Berlin in winter: after the cut-off
    assert ship_day(datetime(2026, 3, 26, 13, 30, tzinfo=UTC), 2, timezone=BERLIN) == date(2026, 3, 31)


@pytest.mark.parametrize("call", [
    lambda: ship_by(datetime(2026, 11, 30, 10), 2, timezone=LA),                 # naive
    lambda: ship_by(at(LA, 2026, 11, 30), -1, timezone=LA),
    lambda: ship_by(at(LA, 2026, 11, 30), 1.5, timezone=LA),
    lambda: ship_by(at(LA, 2026, 11, 30), True, timezone=LA),
    lambda: ship_by(at(LA, 2026, 11, 30), 10_000, timezone=LA),
    lambda: ship_by(at(LA, 2026, 11, 30), 2, timezone="Mars/Olympus_Mons"),
    lambda: ship_by(at(LA, 2026, 11, 30), 2, timezone=LA, non_working_weekdays=range(7)),
    lambda: ship_by(at(LA, 2026, 11, 30), 2, timezone=LA, non_working_weekdays={7}),
    lambda: ship_by(at(LA, 2026, 11, 30), 2, timezone=LA, cutoff=time(14, tzinfo=UTC)),
    lambda: ship_by("2026-11-30T10:00:00Z", 2, timezone=LA),
], ids=["naive", "negative", "fraction", "bool", "huge", "zone", "no-working-day", "weekday-7", "aware-cutoff",
        "string"])
def test_invalid_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()


def config(**env) -> dict:
    return vars(Config({"SECRET_KEY": "test", "DATABASE_URL": "sqlite://", **env}))


def test_calendar_defaults_from_config():
    calendar = WarehouseCalendar.from_config(config())
    assert calendar == WarehouseCalendar("UTC", 2, time(14), frozenset({5, 6}), frozenset())


def test_calendar_from_config_keys():
    calendar = WarehouseCalendar.from_config(config(
        SHIPFLOOR_TIMEZONE=LA, SHIPFLOOR_HANDLING_DAYS="1", SHIPFLOOR_CUTOFF="11:30",
        SHIPFLOOR_HOLIDAYS="2026-12-25, 2026-12-24,"))
    assert calendar.handling_days == 1 and calendar.cutoff == time(11, 30)
    assert calendar.holidays == {date(2026, 12, 24), date(2026, 12, 25)}
    assert calendar.ship_by(at(LA, 2026, 12, 23, 11)) == datetime(2026, 12, 29, 7, 59, 59, 999999, tzinfo=UTC)
    assert calendar.ship_by(at(LA, 2026, 12, 23, 11), handling_days=0) == datetime(2026, 12, 24, 7, 59, 59,
                                                                                   999999, tzinfo=UTC)


@pytest.mark.parametrize("env", [
    {"SHIPFLOOR_HANDLING_DAYS": "two"}, {"SHIPFLOOR_HANDLING_DAYS": "-1"}, {"SHIPFLOOR_CUTOFF": "2pm"},
    {"SHIPFLOOR_CUTOFF": "25:00"}, {"SHIPFLOOR_HOLIDAYS": "2026-13-01"}, {"SHIPFLOOR_TIMEZONE": "Nowhere/Town"},
    {"SHIPFLOOR_HANDLING_DAYS": "9999"},
])
def test_bad_calendar_config_is_a_value_error(env):
    with pytest.raises(ValueError):
        WarehouseCalendar.from_config(config(**env))


def test_a_calendar_built_by_hand_is_checked_too():
    with pytest.raises(ValueError):
        WarehouseCalendar(LA, 2, time(14), frozenset(range(7)))
    assert WarehouseCalendar(LA, holidays=[date(2026, 12, 25)]).holidays == frozenset({date(2026, 12, 25)})


# Properties over zones with and without daylight saving, random holidays, cut-offs and working weeks.

ZONES = [LA, BERLIN, "UTC", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "Pacific/Chatham"]
instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31),
                        timezones=st.just(UTC))
calendars = st.fixed_dictionaries({
    "timezone": st.sampled_from(ZONES),
    "cutoff": st.times(),
    "non_working_weekdays": st.frozensets(st.integers(0, 6), max_size=6),
    "holidays": st.frozensets(st.dates(date(2023, 12, 25), date(2031, 3, 1)), max_size=40),
})
FAST = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(instants, instants, st.integers(0, 5), calendars)
def test_deadline_properties(one, other, handling, calendar):
    early, late = sorted((one, other))
    deadline = ship_by(early, handling, **calendar)
    assert deadline >= early
    local_day = deadline.astimezone(ZoneInfo(calendar["timezone"])).date()
    assert is_business_day(local_day, calendar["non_working_weekdays"], calendar["holidays"])
    assert ship_by(late, handling, **calendar) >= deadline
    # more handling is never earlier; from 1 day on, each day more is a later day (0 and 1 meet when the order
    # falls on a closed day: both are the next business day)
    assert ship_by(early, handling + 1, **calendar) >= deadline
    if handling:
        assert ship_by(early, handling + 1, **calendar) > deadline
