"""Seller metrics (server/dashboard/metrics.py) on constructed histories: the windows' edges to the microsecond,
the ship-by second, who cancelled, which tracking numbers pass; the reference's worked examples; the status
bands; and the order list behind each number counting as many orders as the metric says."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from server.http import run_in_transaction
from tests.factories import make_order
from tests.supervisor.web import login, total

pytestmark = pytest.mark.rollback

NOW = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=90)  # placed before every window: counts in no cancel rate
TICK = timedelta(microseconds=1)
_serials = itertools.count(1)


def order(*, ship_by=None, ordered_at=LONG_AGO, status="shipped", channel="amazon", cancel_source=None):
    o = make_order(ship_by=ship_by, ordered_at=ordered_at, status=status, channel=channel)
    o.cancel_source = cancel_source
    return o


def valid_number() -> str:
    from server.shipping.tracking import local_tracking_number
    return local_tracking_number(next(_serials))


def bad_check_digit() -> str:
    number = valid_number()
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def shipment(o, at, *, status="shipped", carrier="local", tracking=None):
    """A shipment of the order confirmed at `at`, with a package per tracking number (one valid by default)."""
    from server.extensions import db
    from server.packing.models import Package, PackageStatus
    from server.shipping.models import Shipment, ShipmentStatus

    s = Shipment(order_id=o.id, carrier=carrier, service="standard", status=ShipmentStatus(status),
                 label_created_at=at, shipped_at=at if status == "shipped" else None,
                 ship_by_met=None if status != "shipped" or o.ship_by is None else at <= o.ship_by)
    db.session.add(s)
    db.session.flush()
    for number in (valid_number(),) if tracking is None else tracking:
        db.session.add(Package(order_id=o.id, number=next(_serials), status=PackageStatus.SHIPPED,
                               shipment_id=s.id, tracking_number=number))
    db.session.flush()
    return s


def metrics_at(now=NOW, channel=None) -> dict:
    from server.dashboard.metrics import seller_metrics
    return {m.key: m for m in seller_metrics(now, "UTC", channel)}


def behind(key: str, now=NOW, **kw) -> set[int]:
    from server.extensions import db
    from server.orders.queries import OrderFilter, order_ids
    return set(db.session.scalars(order_ids(OrderFilter(metric=key, now=now, **kw))))


def test_late_shipment_rate_counts_orders_due_in_the_window_not_confirmed_by_their_ship_by(app):
    edge = NOW - timedelta(days=30)
    on_time, late = [], []

    o = order(ship_by=edge)  # due on the window's first instant: inside; confirmed a second late
    shipment(o, edge + timedelta(seconds=1))
    late.append(o)
    order(ship_by=edge - TICK, status="packed")  # due a microsecond before the window: outside
    o = order(ship_by=NOW - timedelta(days=1))  # confirmed on the deadline's very second
    shipment(o, o.ship_by)
    on_time.append(o)
    o = order(ship_by=NOW - timedelta(days=1))
    shipment(o, o.ship_by + timedelta(seconds=1))
    late.append(o)
    late.append(order(ship_by=NOW - timedelta(hours=2), status="packed"))  # past due, not confirmed: late already
    order(ship_by=NOW, status="packed")  # due at now itself: not in [now - 30 d, now)
    order(ship_by=NOW - timedelta(days=2), status="cancelled", cancel_source="seller")  # cancelled: not counted
    o = order(ship_by=NOW - timedelta(days=3))  # split: the first shipment was on time
    shipment(o, o.ship_by - timedelta(hours=1))
    shipment(o, o.ship_by + timedelta(days=1))
    on_time.append(o)
    o = order(ship_by=NOW - timedelta(days=4), status="packed")  # its only label voided: no confirmation
    shipment(o, o.ship_by - timedelta(hours=1), status="voided")
    late.append(o)

    lsr = metrics_at()["lsr_30"]
    assert (lsr.numerator, lsr.denominator) == (len(late), len(late) + len(on_time))
    assert lsr.rate == len(late) / (len(late) + len(on_time))
    assert (lsr.since, lsr.until) == (edge, NOW)
    assert behind("lsr_30") == {o.id for o in late}
    recent_late = {o.id for o in late if o.ship_by >= NOW - timedelta(days=10)}
    assert behind("lsr_10") == recent_late
    assert metrics_at()["lsr_10"].numerator == len(recent_late)


def test_cancel_rate_counts_seller_cancellations_of_orders_placed_in_the_window(app):
    edge = NOW - timedelta(days=7)
    counted = [order(ordered_at=edge, status="open"),  # placed on the window's first instant
               order(ordered_at=NOW - TICK, status="open"),
               order(ordered_at=NOW - timedelta(days=1), status="cancelled", cancel_source="buyer"),
               order(ordered_at=NOW - timedelta(days=1), status="cancelled", cancel_source="channel")]
    seller = [order(ordered_at=edge, status="cancelled", cancel_source="seller"),
              order(ordered_at=NOW - timedelta(hours=1), status="cancelled", cancel_source="seller")]
    order(ordered_at=edge - TICK, status="cancelled", cancel_source="seller")  # placed before the window
    order(ordered_at=NOW, status="cancelled", cancel_source="seller")  # placed at now: not yet in it

    cr = metrics_at()["cancel_7"]
    assert (cr.numerator, cr.denominator) == (len(seller), len(counted) + len(seller))
    assert behind("cancel_7") == {o.id for o in seller}


def test_valid_tracking_rate_counts_shipments_whose_every_package_has_a_number_that_passes(app):
    edge = NOW - timedelta(days=30)
    at = NOW - timedelta(days=2)
    valid = [shipment(order(), edge),  # confirmed on the window's first instant
             shipment(order(), at, tracking=(valid_number(), valid_number())),
             shipment(order(), at, carrier="ups", tracking=("1Z5R89390357567127",))]
    invalid = [shipment(order(), at, tracking=(valid_number(), bad_check_digit())),  # one package fails
               shipment(order(), at, tracking=()),  # no package at all
               shipment(order(), at, tracking=(None,)),
               shipment(order(), at, carrier="ups", tracking=(valid_number(),))]  # not the carrier's format
    shipment(order(), edge - TICK, tracking=(bad_check_digit(),))  # confirmed before the window
    shipment(order(status="packed"), at, status="voided", tracking=(None,))  # voided: no confirmation

    vtr = metrics_at()["vtr_30"]
    assert (vtr.numerator, vtr.denominator) == (len(valid), len(valid) + len(invalid))
    assert vtr.misses == len(invalid)
    assert behind("vtr_30") == {s.order_id for s in invalid}


def test_every_metric_can_be_narrowed_to_one_channel(app):
    order(ship_by=NOW - timedelta(hours=3), status="packed", channel="amazon")
    order(ship_by=NOW - timedelta(hours=3), status="packed", channel="ebay")
    shipment(order(channel="ebay", ordered_at=NOW - timedelta(days=1)), NOW - timedelta(days=1), tracking=(None,))
    order(ordered_at=NOW - timedelta(days=1), status="cancelled", cancel_source="seller", channel="amazon")

    everything, amazon = metrics_at(), metrics_at(channel="amazon")
    assert [everything[k].denominator for k in ("lsr_30", "cancel_7", "vtr_30")] == [2, 2, 1]
    assert [amazon[k].denominator for k in ("lsr_30", "cancel_7", "vtr_30")] == [1, 1, 0]
    assert amazon["vtr_30"].status == "none" and amazon["vtr_30"].rate is None
    assert behind("lsr_30", channel="amazon") < behind("lsr_30")


# --- the reference's worked examples (amazon-fbm.md §5) ------------------------------------------------------

def _cancel_example():
    for n in range(40):
        placed = NOW - timedelta(days=6, minutes=n)
        if n == 0:
            order(ordered_at=placed, status="cancelled", cancel_source="seller")
        else:
            order(ordered_at=placed, status="open")
    return "cancel_7", 1, 40


def _late_example():
    for n in range(220):
        o = order(ship_by=NOW - timedelta(days=29, minutes=-n))
        shipment(o, o.ship_by + (timedelta(hours=5) if n < 9 else -timedelta(hours=5)))
    return "lsr_30", 9, 220


def _tracking_example():
    for n in range(300):
        shipment(order(), NOW - timedelta(days=20, minutes=n), tracking=(bad_check_digit(),) if n < 12 else None)
    return "vtr_30", 288, 300


@pytest.mark.parametrize(("build", "status"), [(_cancel_example, "red"), (_late_example, "red"),
                                               (_tracking_example, "amber")],
                         ids=["cr-40-1", "lsr-220-9", "vtr-300-12"])
def test_the_references_worked_examples(app, build, status):
    """40 orders and 1 seller cancellation: 2.5 %, not under 2.5 %; 220 orders and 9 late: 4.09 %; 300
    shipments, 12 without valid tracking: 96 %, above 95 % but within the amber band (96.25 % and below)."""
    key, numerator, denominator = build()
    metric = metrics_at()[key]
    assert (metric.numerator, metric.denominator) == (numerator, denominator)
    assert metric.rate == numerator / denominator
    assert metric.status == status


@pytest.mark.parametrize(("better", "threshold", "cases"), [
    ("below", "0.04", {(299, 10000): "green", (3, 100): "amber", (399, 10000): "amber", (4, 100): "red"}),
    ("below", "0.025", {(1874, 100000): "green", (1875, 100000): "amber", (1, 40): "red"}),
    ("above", "0.95", {(9626, 10000): "green", (9625, 10000): "amber", (9501, 10000): "amber", (95, 100): "red",
                       (0, 3): "red"}),
], ids=["lsr", "cr", "vtr"])
def test_status_bands_turn_amber_three_quarters_of_the_way_and_red_on_the_threshold(better, threshold, cases):
    from server.dashboard.metrics import status_of
    assert {nd: status_of(*nd, Fraction(threshold), better) for nd in cases} == cases
    assert status_of(0, 0, Fraction(threshold), better) == "none"


# --- the orders behind each number -----------------------------------------------------------------------------

def test_the_order_list_behind_a_metric_counts_what_the_metric_counts(app, users, monkeypatch):
    monkeypatch.setattr("server.supervisor.orders.now", lambda: NOW)

    def history():
        for n in range(5):
            o = order(ship_by=NOW - timedelta(days=n + 1), ordered_at=NOW - timedelta(days=n + 2))
            shipment(o, o.ship_by + timedelta(minutes=n - 2), tracking=(None,) if n == 4 else None)
        order(ship_by=NOW - timedelta(hours=1), status="allocated", ordered_at=NOW - timedelta(days=1))
        order(ordered_at=NOW - timedelta(days=1), status="cancelled", cancel_source="seller")
        order(ordered_at=NOW - timedelta(days=1), status="cancelled", cancel_source="buyer")

    run_in_transaction(history)
    client = app.test_client()
    assert login(client, users["supervisor"].username).status_code == 302
    metrics = metrics_at()
    for key in ("lsr_30", "cancel_7", "vtr_30"):
        page = client.get("/orders", query_string={"metric": key})
        assert page.status_code == 200
        assert f'id="metric-heading" data-metric="{key}"' in page.text
        assert str(metrics[key].label) in page.text
        assert total(page.text) == metrics[key].misses > 0
    # A status narrows the orders behind it: the late one not shipped yet.
    page = client.get("/orders", query_string={"metric": "lsr_30", "status": "not_closed"})
    assert total(page.text) == 1
