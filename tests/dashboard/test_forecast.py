"""The day's forecast (server/dashboard/forecast.py): the rules on small constructed days, and the acceptance test
against issue 8's late-shipment simulation (bench/late_shipments.py): a simulated day stopped at 10:30, its floor
written into the database, the forecast made from that alone, then the simulated day finished."""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from server.dashboard.forecast import (DEFAULTS, MEASURED, MIN_PICKED_UNITS, OrderWork, PickSequence,
                                       forecast_day, measured_rate, people_needed, predict_misses)
from server.extensions import db
from server.inventory.codes import MoveKind
from server.inventory.ledger_models import Reservation, StockBalance, StockMove
from server.orders.models import Order, OrderLine, OrderStatus
from server.packing.models import Package, PackageStatus
from tests.factories import make_item, make_location, make_order, make_user

pytestmark = pytest.mark.rollback

TZ = ZoneInfo("America/New_York")
NOW = datetime(2026, 6, 10, 10, 30, tzinfo=TZ).astimezone(UTC)       # a Wednesday, mid-morning
SHIFT_START = datetime(2026, 6, 10, 8, 0, tzinfo=TZ).astimezone(UTC)
SHIFT_END = datetime(2026, 6, 10, 16, 30, tzinfo=TZ).astimezone(UTC)
END_OF_DAY = datetime(2026, 6, 11, 0, 0, tzinfo=TZ).astimezone(UTC) - timedelta(microseconds=1)


@pytest.fixture
def shift(app, monkeypatch):
    """The configured shift and default rates, set here so the tests don't depend on the defaults' values."""
    for key, value in (("SHIFT_START", "08:00"), ("SHIFT_END", "16:30"),
                       ("FORECAST_PICK_UNITS_PER_HOUR", 60.0), ("FORECAST_PACK_ORDERS_PER_HOUR", 30.0)):
        monkeypatch.setitem(app.config, key, value)
    return app.config


def insert_picks(picks, *, item, location, tote):
    """Picks booked: [(user, when, units)], one pick movement each from the bin to the tote (lean rows)."""
    db.session.execute(sa.insert(StockMove), [
        {"kind": MoveKind.PICK, "item_id": item.id, "qty": units, "src_id": location.id, "dst_id": tote.id,
         "user_id": user.id, "created_at": at} for user, at, units in picks])


def insert_packs(packs):
    """Orders packed: [(user, order id, opened, closed)], one shipped package each."""
    db.session.execute(sa.insert(Package), [
        {"order_id": order_id, "number": 1, "status": PackageStatus.SHIPPED, "packed_by": user.id,
         "created_at": opened, "packed_at": closed} for user, order_id, opened, closed in packs])


# --- the rules ---------------------------------------------------------------------------------------

def test_the_active_time_leaves_out_gaps_over_a_quarter_hour_and_the_pick_after_them():
    ana, ben = "ana", "ben"
    at = lambda minutes: NOW + timedelta(minutes=minutes)   # noqa: E731
    events = [(ana, None, at(0), 1), (ana, None, at(5), 2), (ana, None, at(10), 3),   # 10 min, 5 units
              (ana, None, at(40), 4), (ana, None, at(45), 5),                           # a 30 min gap; 5 min, 5
              (ben, None, at(1), 7)]                                                    # one pick: no time
    assert measured_rate(events) == (10, 15 / 60)
    # A known start counts from there when the person was idle before it, and a first event counts then too.
    assert measured_rate([(ana, at(0), at(4), 1), (ana, at(10), at(12), 1)]) == (2, 6 / 60)
    assert measured_rate([(ana, at(0), at(20), 1)]) == (0, 0.0)          # open 20 min: a break, not a pack


def test_no_work_left_means_no_misses_and_nobody_needed(app, shift):
    make_order((make_item(), 2), ship_by=END_OF_DAY + timedelta(days=1))    # due tomorrow: not today's work
    forecast = forecast_day(NOW, TZ)
    assert (forecast.due_today, forecast.predicted_misses, forecast.miss_order_ids) == (0, 0, [])
    assert (forecast.pickers_needed, forecast.packers_needed) == (0, 0)
    assert forecast.end_of_shift == SHIFT_END


def test_an_overdue_order_counts_as_missed_even_when_packed(app, shift):
    item = make_item()
    yesterday = make_order((item, 1), ship_by=NOW - timedelta(hours=11), status="packed")
    today = make_order((item, 1), ship_by=END_OF_DAY, status="packed")
    forecast = forecast_day(NOW, TZ)
    assert forecast.due_today == 2
    assert forecast.miss_order_ids == [yesterday.id]
    assert (forecast.pickers_needed, forecast.packers_needed) == (0, 0)   # nothing left that can still make it
    assert today.id not in forecast.miss_order_ids


def test_with_too_little_measured_the_configured_rates_are_used_and_said(app, shift):
    item, bin_, tote = make_item(), make_location(), make_location()
    picker = make_user("picker")
    order = make_order((item, MIN_PICKED_UNITS + 5), ship_by=END_OF_DAY)
    # A pick every two minutes: one unit short of the minimum counted (the first pick of a span is not).
    picks = [(picker, NOW - timedelta(minutes=1 + 2 * k), 1) for k in range(MIN_PICKED_UNITS)]
    insert_picks(picks, item=item, location=bin_, tote=tote)
    forecast = forecast_day(NOW, TZ)
    assert forecast.basis == DEFAULTS
    assert (forecast.pick_units_per_hour, forecast.pack_orders_per_hour) == (60.0, 30.0)
    assert (forecast.pickers_now, forecast.packers_now) == (1, 0)
    # Nobody packs now: the order cannot be packed at this pace; one packer would make it.
    assert forecast.miss_order_ids == [order.id]
    assert (forecast.pickers_needed, forecast.packers_needed) == (1, 1)


def test_enough_measured_today_gives_the_measured_rates(app, shift):
    item, bin_, tote = make_item(), make_location(), make_location()
    picker, packer = make_user("picker"), make_user("packer")
    orders = [make_order((item, 1), ship_by=END_OF_DAY, status="shipped") for _ in range(6)]
    # Two units every 3 minutes for 30 counted minutes (and yesterday's picks, which don't count today).
    picks = [(picker, NOW - timedelta(minutes=1 + 3 * k), 2) for k in range(11)]
    picks += [(picker, NOW - timedelta(days=1, minutes=k), 5) for k in range(10)]
    insert_picks(picks, item=item, location=bin_, tote=tote)
    # Six orders packed in 4 minutes each, back to back: 24 minutes.
    insert_packs([(packer, o.id, NOW - timedelta(minutes=1 + 4 * (k + 1)), NOW - timedelta(minutes=1 + 4 * k))
                  for k, o in enumerate(orders)])
    forecast = forecast_day(NOW, TZ)
    assert forecast.basis == MEASURED
    assert forecast.pick_units_per_hour == round(20 / 0.5, 1)
    assert forecast.pack_orders_per_hour == round(6 / 0.4, 1)
    assert (forecast.pickers_now, forecast.packers_now) == (1, 1)


def day_of_work(count: int) -> list[OrderWork]:
    """`count` orders due at the end of today, 1 to 4 units each, none picked yet."""
    return [OrderWork(order_id=i, ship_by=END_OF_DAY, units_left=1 + i % 4, ordered_at=NOW - timedelta(days=2))
            for i in range(1, count + 1)]


def test_more_people_never_miss_more_orders():
    work = PickSequence(day_of_work(900))
    timing = dict(now=NOW, shift_start=SHIFT_START, shift_end=SHIFT_END, pick_rate=90.0, pack_rate=50.0)
    by_pickers = [len(predict_misses(work, pickers=n, packers=20, **timing)) for n in range(0, 8)]
    by_packers = [len(predict_misses(work, pickers=20, packers=n, **timing)) for n in range(0, 8)]
    for counts in (by_pickers, by_packers):
        assert counts[0] == len(work.orders) and counts[-1] == 0
        assert all(later <= before for before, later in itertools.pairwise(counts))


def test_the_people_needed_are_the_fewest_that_make_every_order_that_still_can():
    overdue = OrderWork(order_id=9999, ship_by=NOW - timedelta(hours=2), units_left=3)
    work = PickSequence(day_of_work(700) + [overdue])
    timing = dict(now=NOW, shift_start=SHIFT_START, shift_end=SHIFT_END, pick_rate=90.0, pack_rate=50.0)
    pickers, packers = people_needed(work, **timing)

    def missed(p, k):
        return predict_misses(work, pickers=p, packers=k, **timing)
    assert missed(pickers, packers) == [9999]                          # only the overdue one
    assert len(missed(pickers - 1, packers)) > 1 and len(missed(pickers, packers - 1)) > 1
    assert len(missed(2, 2)) > 1                                       # today's team of two and two misses some


# --- acceptance: against the late-shipment simulation ------------------------------------------------

SIM_DAY = date(2026, 5, 27)        # the Wednesday after Memorial Day: the long weekend's orders are due
SIM_AT = time(10, 30)
SIM_LOAD = 520                     # orders a day: two pickers and two packers can't make that day


@functools.cache
def simulated_day():
    """The simulation (bench/late_shipments.py, ship-by batching, seed 1, its default team of 2 + 2) to the end
    of SIM_DAY: the world and what happened on the floor."""
    from bench import late_shipments as sim

    args = sim.build_parser().parse_args(["--seed", "1"])
    world, times = sim.make_world(args)
    tz = ZoneInfo(sim.TIMEZONE)
    end = datetime.combine(SIM_DAY + timedelta(days=1), time(0), tzinfo=tz).timestamp()
    return sim, args, world, sim.run_floor(world, times, SIM_LOAD, "ship_by", args, until=end)


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Rows straight into the model's table; their ids in the order given."""
    return db.session.scalars(sa.insert(model).returning(model.id, sort_by_parameter_order=True), rows).all()


def write_floor_at(args, world, run, moment: float, day_start: float):
    """The simulated floor at `moment` into the database: the orders placed by then and not yet packed (any
    ship-by), the ones packed today; each line's reservation in its bin (the bins at the demo layout's floor
    points); the picks done today with their picker and time (a trip's stops picked at even steps along it, the
    last at its end) as pick movements; the packs done today (opened when the pack started, closed when it
    ended)."""
    layout = world[0]
    pickers = [make_user("picker") for _ in range(args.pickers)]
    packers = [make_user("packer") for _ in range(args.packers)]
    item = make_item()
    picked_at, on_cart = {}, set()
    for trip in run.trips:
        if trip.start >= moment:
            continue
        for n, stop in enumerate(trip.stops, 1):
            at = trip.start + (trip.end - trip.start) * n / len(trip.stops)
            if at <= moment:
                picked_at[stop] = (at, trip)
        if trip.end > moment:
            on_cart |= {order_id for order_id, _line in trip.stops}
    packed = {i: p for i, p in run.packs.items() if p[2] <= moment}
    orders = [o for o in run.orders if o.at <= moment and (o.id not in packed or packed[o.id][2] >= day_start)]

    def status(o):
        if o.id in packed:
            return OrderStatus.SHIPPED             # the simulation ship-confirms at the end of the pack
        done = sum((o.id, k) in picked_at for k in range(len(o.units)))
        if done == len(o.units) and o.id not in on_cart:
            return OrderStatus.PICKED
        return OrderStatus.PICKING if done or o.id in on_cart else OrderStatus.ALLOCATED

    stamp = lambda t: datetime.fromtimestamp(t, UTC)   # noqa: E731
    address = {"ship_to_name": "Sim", "ship_to_address1": "1 Main St", "ship_to_city": "Newark",
               "ship_to_postal_code": "07102", "ship_to_country": "US"}
    order_ids = insert_rows(Order, [{"channel": "sim", "channel_order_id": f"SIM-{o.id}", **address,
                                     "ordered_at": stamp(o.at), "ship_by": stamp(o.ship_by), "status": status(o)}
                                    for o in orders])
    db_order = {o.id: oid for o, oid in zip(orders, order_ids)}
    keys = [(o.id, k) for o in orders for k in range(len(o.units))]
    units = {o.id: o.units for o in orders}
    line_ids = insert_rows(OrderLine, [{"order_id": db_order[i], "item_id": item.id, "qty": units[i][k],
                                        "qty_picked": units[i][k] if (i, k) in picked_at else 0} for i, k in keys])
    db_line = dict(zip(keys, line_ids))

    places = {o.id: o.stops for o in orders}
    bins = {}
    for place in sorted({places[i][k] for i, k in keys}):
        x, y = layout.point(place)
        bins[place] = make_location(kind="bin", x=x, y=y)
    to_pick = [(i, k) for i, k in keys if (i, k) not in picked_at and i not in packed]
    reserved = {}
    for i, k in to_pick:
        reserved[places[i][k]] = reserved.get(places[i][k], 0) + units[i][k]
    balance_ids = insert_rows(StockBalance, [{"item_id": item.id, "location_id": bins[p].id, "qty": 1000,
                                              "reserved": reserved.get(p, 0)} for p in bins])
    balance = dict(zip(bins, balance_ids))
    if to_pick:
        db.session.execute(sa.insert(Reservation), [
            {"order_line_id": db_line[(i, k)], "balance_id": balance[places[i][k]], "qty": units[i][k]}
            for i, k in to_pick])

    insert_picks([(pickers[trip.picker], stamp(at), units[order_id][line])
                  for (order_id, line), (at, trip) in picked_at.items() if at >= day_start],
                 item=item, location=next(iter(bins.values())), tote=make_location())
    insert_packs([(packers[packer], db_order[i], stamp(start), stamp(done))
                  for i, (packer, start, done) in packed.items() if done >= day_start])


def test_the_forecast_predicts_the_simulated_days_misses_within_ten_percent(app, shift):
    sim, args, world, run = simulated_day()
    tz = ZoneInfo(sim.TIMEZONE)
    shift["SHIFT_START"], shift["SHIFT_END"] = (t.strftime("%H:%M") for t in sim.SHIFT)
    moment = datetime.combine(SIM_DAY, SIM_AT, tzinfo=tz)
    day_start = datetime.combine(SIM_DAY, time(0), tzinfo=tz).timestamp()
    end_of_day = datetime.combine(SIM_DAY + timedelta(days=1), time(0), tzinfo=tz).timestamp()
    write_floor_at(args, world, run, moment.timestamp(), day_start)

    forecast = forecast_day(moment.astimezone(UTC), tz)

    # The simulated truth: of the orders open at 10:30 and due by the end of the day, those not packed by their
    # ship-by (the simulation ran to the end of the day: an order it did not pack missed).
    due = [o for o in run.orders if o.at <= moment.timestamp() and o.ship_by < end_of_day
           and not (o.id in run.packs and run.packs[o.id][2] <= moment.timestamp())]
    simulated = sum(o.id not in run.packs or run.packs[o.id][2] > o.ship_by for o in due)
    overdue = sum(o.ship_by < moment.timestamp() for o in due)
    assert forecast.due_today == len(due)
    assert forecast.basis == MEASURED and (forecast.pickers_now, forecast.packers_now) == (2, 2)
    assert simulated >= 20 and simulated - overdue >= 20      # misses to come, not only yesterday's
    assert abs(forecast.predicted_misses - simulated) <= 0.10 * simulated, (forecast.predicted_misses, simulated)
    assert forecast.pickers_needed > 2 or forecast.packers_needed > 2
