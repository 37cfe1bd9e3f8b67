"""Shipment rules: labels with our own and scanned tracking numbers, ship on label or at the dock, ship-by met
to the microsecond, void and ship again (also after the stock left), the end-of-day manifest and Amazon's
shipping-confirmation file for single- and multi-package orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.inventory.ledger_models import StockBalance, StockMove
from server.inventory.queries import verify_ledger
from server.orders.models import OrderStatus
from server.packing.models import PackageStatus
from server.shipping import services
from server.shipping.errors import CannotVoid, NothingToManifest, NotLoadable, NotReadyToShip, TrackingInUse
from server.shipping.models import ShipmentStatus
from server.shipping.sscc import is_sscc
from server.shipping.tracking import InvalidTracking, validate_tracking
from tests.factories import make_actor
from tests.shipping.shipfloor import FLOOR, make_order, packed

pytestmark = pytest.mark.rollback


@pytest.fixture
def floor_plan():
    return FLOOR


@pytest.fixture
def crew(users):
    return {"boss": make_actor(users["supervisor"]), "picker": make_actor(users["picker"], device_id="HH-1"),
            "packer": make_actor(users["packer"], device_id="PACK-1")}


@pytest.fixture
def two_packages(floor, crew):
    return packed([("KP-MUG", 2), ("KP-BOOK", 1)], [[("KP-MUG", 2)], [("KP-BOOK", 1)]], **crew,
                  ship_to_postal_code="43210", ship_by=services.utcnow() + timedelta(days=1))


def carton_qty(package) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.qty), 0))
                             .where(StockBalance.location_id == package.container_id))


def test_local_carrier_issues_checked_numbers_and_ships_on_label(two_packages, crew):
    order, packages = two_packages
    shipment = services.create_shipment(order, packages, carrier="local", service="nextday", actor=crew["packer"],
                                        print=False)
    numbers = [p.tracking_number for p in packages]
    assert len(set(numbers)) == 2 and all(validate_tracking("local", n) == ("local", n) for n in numbers)
    assert all(is_sscc(p.sscc) for p in packages) and packages[0].sscc != packages[1].sscc
    # SHIPFLOOR_SHIP_ON=label (the default): shipped at once, the cartons emptied to CUSTOMER through the ledger.
    assert shipment.status == ShipmentStatus.SHIPPED and order.status == OrderStatus.SHIPPED
    assert [p.status for p in packages] == [PackageStatus.SHIPPED] * 2
    assert [carton_qty(p) for p in packages] == [0, 0]
    ships = db.session.scalars(sa.select(StockMove).where(StockMove.ref_type == "shipment",
                                                          StockMove.ref_id == shipment.id)).all()
    assert sorted((m.item.sku, m.qty, m.dst.code) for m in ships) == [("KP-BOOK", 1, "CUSTOMER"),
                                                                      ("KP-MUG", 2, "CUSTOMER")]
    assert shipment.ship_by_met is True and shipment.rate_cents > 0 and shipment.promised_delivery
    assert verify_ledger() == []


def test_an_external_carrier_needs_one_valid_scanned_number_per_package(two_packages, crew):
    order, packages = two_packages
    with pytest.raises(InvalidTracking):
        services.create_shipment(order, packages, carrier="ups", service="ground", actor=crew["packer"],
                                 tracking_numbers=["1Z5R89390357567127", "1Z879E930346834441"], print=False)
    with pytest.raises(InvalidTracking):  # the same label scanned twice
        services.create_shipment(order, packages, carrier="ups", service="ground", actor=crew["packer"],
                                 tracking_numbers=["1Z5R89390357567127", "1z5r 8939 0357 5671 27"], print=False)
    shipment = services.create_shipment(order, packages, carrier="ups", service="ground", actor=crew["packer"],
                                        tracking_numbers=["1Z5R89390357567127", "1z879e930346834440"], print=False)
    assert [p.tracking_number for p in packages] == ["1Z5R89390357567127", "1Z879E930346834440"]
    assert shipment.carrier == "ups"


def test_a_tracking_number_on_another_package_is_refused(floor, crew, two_packages):
    order, packages = two_packages
    services.create_shipment(order, packages[:1], carrier="dhl", service="express", actor=crew["packer"],
                             tracking_numbers=["3318810025"], print=False)
    with pytest.raises(TrackingInUse):
        services.create_shipment(order, packages[1:], carrier="dhl", service="express", actor=crew["packer"],
                                 tracking_numbers=["3318810025"], print=False)


def test_only_a_packed_order_and_packed_packages_get_a_label(floor, crew):
    order = make_order([("KP-MUG", 1)])
    with pytest.raises(NotReadyToShip):
        services.create_shipment(order, [], carrier="local", service="nextday", actor=crew["packer"], print=False)


def test_ship_on_dock_ships_when_the_last_package_is_loaded(app, monkeypatch, two_packages, crew):
    monkeypatch.setitem(app.config, "SHIP_ON", "dock")
    order, packages = two_packages
    shipment = services.create_shipment(order, packages, carrier="local", service="nextday", actor=crew["packer"],
                                        print=False)
    assert shipment.status == ShipmentStatus.LABELLED and order.status == OrderStatus.PACKED
    assert carton_qty(packages[0]) == 2
    services.mark_loaded(packages[0], actor=crew["packer"])
    assert packages[0].status == PackageStatus.LOADED and shipment.status == ShipmentStatus.LABELLED
    services.mark_loaded(packages[0], actor=crew["packer"])  # scanned twice: nothing more happens
    services.mark_loaded(packages[1], actor=crew["packer"])
    assert shipment.status == ShipmentStatus.SHIPPED and order.status == OrderStatus.SHIPPED
    assert [p.status for p in packages] == [PackageStatus.SHIPPED] * 2 and carton_qty(packages[0]) == 0


def test_a_package_without_a_label_cannot_be_loaded(two_packages, crew):
    _order, packages = two_packages
    with pytest.raises(NotLoadable):
        services.mark_loaded(packages[0], actor=crew["packer"])


@pytest.mark.parametrize("late,met", [(timedelta(0), True), (timedelta(microseconds=1), False)])
def test_ship_by_is_met_up_to_the_deadline_microsecond(app, monkeypatch, two_packages, crew, late, met):
    monkeypatch.setitem(app.config, "SHIP_ON", "dock")
    order, packages = two_packages
    shipment = services.create_shipment(order, packages, carrier="local", service="nextday", actor=crew["packer"],
                                        print=False)
    services.ship(shipment, actor=crew["packer"], at=order.ship_by + late)
    assert shipment.ship_by_met is met


def test_void_after_shipping_puts_the_stock_back_and_the_order_can_ship_again(two_packages, crew):
    order, packages = two_packages
    first = services.create_shipment(order, packages, carrier="local", service="nextday", actor=crew["packer"],
                                     print=False)
    ssccs = [p.sscc for p in packages]
    services.void_shipment(first, reason="label jammed", actor=crew["packer"])
    assert first.status == ShipmentStatus.VOIDED and first.void_reason == "label jammed"
    assert order.status == OrderStatus.PACKED
    assert [(p.status, p.tracking_number, p.shipment_id) for p in packages] == [(PackageStatus.PACKED, None, None)] * 2
    assert [carton_qty(p) for p in packages] == [2, 1]  # the SHIP movements reversed
    with pytest.raises(CannotVoid):
        services.void_shipment(first, reason="again", actor=crew["packer"])
    second = services.create_shipment(order, packages, carrier="usps", service="priority", actor=crew["packer"],
                                      tracking_numbers=["9400111201080805483016", "9101026837331000039521"],
                                      print=False)
    assert second.status == ShipmentStatus.SHIPPED and order.status == OrderStatus.SHIPPED
    assert [p.sscc for p in packages] == ssccs  # the carton keeps its SSCC
    assert verify_ledger() == []


def test_a_manifested_shipment_cannot_be_voided(two_packages, crew):
    order, packages = two_packages
    shipment = services.create_shipment(order, packages, carrier="local", service="nextday", actor=crew["packer"],
                                        print=False)
    manifest = services.close_manifest("local", actor=crew["boss"])
    assert shipment.manifest_id == manifest.id and manifest.number == 1
    with pytest.raises(CannotVoid):
        services.void_shipment(shipment, reason="too late", actor=crew["boss"])
    with pytest.raises(NothingToManifest):  # nothing left for a second pickup
        services.close_manifest("local", actor=crew["boss"])


def test_manifest_takes_only_that_carriers_shipped_shipments(app, monkeypatch, floor, crew):
    o1, p1 = packed([("KP-MUG", 1)], [[("KP-MUG", 1)]], **crew)
    o2, p2 = packed([("KP-BOOK", 1)], [[("KP-BOOK", 1)]], **crew)
    ups = services.create_shipment(o1, p1, carrier="ups", service="ground", tracking_numbers=["1Z410E7W0392751591"],
                                   actor=crew["packer"], print=False)
    monkeypatch.setitem(app.config, "SHIP_ON", "dock")
    waiting = services.create_shipment(o2, p2, carrier="ups", service="2day", tracking_numbers=["1Z879E930346834440"],
                                       actor=crew["packer"], print=False)
    manifest = services.close_manifest("ups", actor=crew["boss"])
    assert ups.manifest_id == manifest.id and waiting.manifest_id is None  # not shipped yet: not handed over


def test_confirmation_file_single_package_order_is_one_row(two_packages, floor, crew):
    order, packages = packed([("KP-MUG", 1)], [[("KP-MUG", 1)]], **crew)
    shipment = services.create_shipment(order, packages, carrier="usps", service="ground_advantage",
                                        tracking_numbers=["9400111201080805483016"], actor=crew["packer"],
                                        print=False)
    text = services.ship_confirmation_file(shipments=[shipment])
    day = services.local_day(shipment.shipped_at).isoformat()
    assert text.splitlines() == [
        "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method",
        f"{order.channel_order_id}\t\t\t{day}\tUSPS\t\t9400111201080805483016\tGround Advantage"]


def test_confirmation_file_multi_package_order_has_item_rows_per_package(two_packages, crew):
    order, packages = two_packages
    services.create_shipment(order, packages, carrier="local", service="nextday", actor=crew["packer"], print=False)
    day = services.local_day(services.utcnow())
    rows = [line.split("\t") for line in services.ship_confirmation_file(day).splitlines()[1:]]
    mine = [r for r in rows if r[0] == order.channel_order_id]
    mug, book = order.lines  # channel line ids 101 and 202 (packfloor)
    assert mine == [
        [order.channel_order_id, mug.channel_line_id, "2", day.isoformat(), "Other", "Shipfloor Local Delivery",
         packages[0].tracking_number, "Local courier"],
        [order.channel_order_id, book.channel_line_id, "1", day.isoformat(), "Other", "Shipfloor Local Delivery",
         packages[1].tracking_number, "Local courier"]]
    shipments = services.shipments_shipped_on(day)
    assert services.mark_confirmed(shipments) == len(shipments) and services.mark_confirmed(shipments) == 0


def test_queries_for_the_pages_list_manifests_and_ship_by(two_packages, crew):
    from server.shipping import queries
    order, packages = two_packages
    shipment = services.create_shipment(order, packages, carrier="local", service="nextday", actor=crew["packer"],
                                        print=False)
    assert queries.waiting_for_manifest()["local"] >= 1
    row = db.session.execute(queries.shipment_rows(queries.ShipmentFilter(q=packages[1].tracking_number))).one()
    assert (row.id, row.packages, row.tracking, row.late) == (shipment.id, 2, packages[0].tracking_number, False)
    manifest = services.close_manifest("local", actor=crew["boss"])
    detail = queries.manifest_detail(manifest.id)
    assert [(line["order_ref"], line["package"], line["tracking_number"]) for line in detail["lines"]] == [
        (order.channel_order_id, 1, packages[0].tracking_number), (order.channel_order_id, 2, packages[1].tracking_number)]
    assert detail["weight_g"] == 2 * 900 and queries.manifest_detail(999_999) is None
    listed = next(m for m in queries.manifests() if m["id"] == manifest.id)
    assert (listed["shipments"], listed["packages"], listed["carrier_name"]) == (1, 2, "Shipfloor Local Delivery")
    assert queries.ship_by_summary(services.local_day(shipment.shipped_at))["met"] >= 1


def test_labels_print_on_the_station_printer_and_a_void_cancels_those_not_yet_printed(app, monkeypatch, two_packages,
                                                                                      crew):
    from server.printing import services as printing
    from server.printing.models import PrintJob, PrintJobStatus
    monkeypatch.setitem(app.config, "SHIP_ON", "dock")
    printing.assign_station("KPACK-1", printing.create_printer("Pack 1 Zebra", host="127.0.0.1", dpi=300))
    order, packages = two_packages
    shipment = services.create_shipment(order, packages, carrier="local", service="nextday", actor=crew["packer"])
    jobs = db.session.scalars(sa.select(PrintJob).where(PrintJob.ref_type == "package",
                                                        PrintJob.ref_id.in_([p.id for p in packages]))
                              .order_by(PrintJob.ref_id)).all()
    assert [(j.kind, j.status) for j in jobs] == [("shipping_label", PrintJobStatus.QUEUED)] * 2
    assert packages[0].tracking_number.encode() in jobs[0].payload and b"^XA" in jobs[0].payload
    assert jobs[0].payload == services.labels_zpl(shipment).split(b"^XZ")[0] + b"^XZ"  # the printer's 300 dpi
    services.void_shipment(shipment, reason="wrong service", actor=crew["packer"])
    assert [j.status for j in jobs] == [PrintJobStatus.CANCELLED] * 2
