"""The pack flow's rules: finding the order (tote, sort-later tote, cart slot, order), every unit checked
(wrong item, extra unit, case pack, lots), packages 1 of n, closing with box and weight, the box rule, the
supervisor's override, stock and reservations through the ledger, and an order sent back with its reason."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.errors import InvalidInput
from server.extensions import db
from server.inventory.ledger_models import Reservation, StockBalance, StockMove
from server.inventory.queries import verify_ledger
from server.orders.models import OrderStatus
from server.packing import services, unpack
from server.packing.boxes import grams_from_scale, suggest_box
from server.packing.errors import (
    EmptyPackage, NothingLeftOfItem, NotReadyToPack, OverrideNotAllowed, PackageClosed, ScanItemFirst, TooMany,
    WrongItem, WrongLot,
)
from server.packing.models import PackageStatus
from tests.factories import make_actor
from tests.packing.packfloor import CASE, FLOOR, LOT_GTIN, MUG_GTIN, make_order, picked, tote_of  # noqa: F401

pytestmark = pytest.mark.rollback


@pytest.fixture
def floor_plan():
    return FLOOR


@pytest.fixture
def boss(users):
    return make_actor(users["supervisor"])


@pytest.fixture
def ana(users):
    return make_actor(users["picker"], device_id="HH-ANA")


@pytest.fixture
def pat(users):
    return make_actor(users["packer"], device_id="PACK-PAT")


def qty_at(sku: str, code: str) -> tuple[int, int]:
    from server.catalog.services import get_item
    from server.inventory.locations import find_location
    rows = db.session.scalars(sa.select(StockBalance).where(StockBalance.item_id == get_item(sku).id,
                                                            StockBalance.location_id == find_location(code, include_inactive=True).id))
    rows = list(rows)
    return sum(r.qty for r in rows), sum(r.reserved for r in rows)


def test_a_tote_names_its_order_and_package_1_opens_at_the_station(floor, boss, ana, pat):
    order = make_order([("KP-MUG", 2)])
    picked(order, boss=boss, picker=ana)
    assert services.start_packing(tote_of(order).lower(), station="KPACK-1", actor=pat) is order
    (package,) = services.live_packages(order)
    assert (package.number, package.status, package.station_id) == (1, PackageStatus.OPEN,
                                                                   services.pack_station("KPACK-1").id)
    assert package.container.kind.value == "carton" and package.container.parent.code == "KPACK-1"
    assert services.start_packing(f"ORD-{order.id}", actor=pat) is order  # resumed: still one package
    assert services.start_packing(order.channel_order_id, actor=pat) is order
    assert len(services.live_packages(order)) == 1


def test_a_cart_slot_names_the_order_picked_into_that_tote(floor, boss, ana, pat):
    first, second = make_order([("KP-MUG", 1)]), make_order([("KP-BOOK", 1)])
    batch = picked(first, second, boss=boss, picker=ana)
    slot = next(bo.tote_number for bo in batch.orders if bo.order_id == second.id)
    assert services.start_packing(f"KCART-1/{slot}", actor=pat) is second


def test_an_order_still_being_picked_needs_a_supervisor(floor, boss, ana, pat, users):
    order = make_order([("KP-MUG", 1), ("KP-BOOK", 1)])
    from server.picking import batching, services as picking
    from server.picking.allocation import allocate
    allocate([order.id], actor=boss)
    batch = batching.build_batch(size=4, actor=boss, release=True)
    picking.start_batch_on_cart("KCART-1", actor=ana)
    task = next(t for t in batch.tasks if t.item.sku == "KP-MUG")
    picking.confirm_pick(task, location_code="KA-1", item_code="KP-MUG", qty=1, tote_code=tote_of(order), actor=ana)
    with pytest.raises(NotReadyToPack):
        services.start_packing(order.channel_order_id, actor=pat)
    with pytest.raises(OverrideNotAllowed):
        services.pack_override(order, reason="book is damaged", actor=pat)
    with pytest.raises(InvalidInput):
        services.pack_override(order, reason="  ", actor=boss)
    services.pack_override(order, reason="book is damaged", actor=boss)
    assert order.events[-1].note == "Pack override: book is damaged"
    services.start_packing(order.channel_order_id, station="KPACK-1", actor=pat)
    package = services.scan_item(order, MUG_GTIN, actor=pat).package
    services.close_package(package, box="bx-s", weight_g=500, actor=pat)
    assert order.status == OrderStatus.PACKED  # one unit short, by the supervisor's leave
    assert order.events[-1].note == "Packed short: book is damaged"


def test_wrong_item_and_extra_unit_are_refused_with_what_is_left(floor, boss, ana, pat):
    order = make_order([("KP-MUG", 2)])
    picked(order, boss=boss, picker=ana)
    services.start_packing(tote_of(order), station="KPACK-1", actor=pat)
    with pytest.raises(WrongItem) as wrong:
        services.scan_item(order, "KP-BOOK", actor=pat)
    assert wrong.value.expected == "KP-MUG ×2"
    with pytest.raises(WrongItem):
        services.scan_item(order, "KA-1", actor=pat)  # a bin is not an item
    services.scan_item(order, MUG_GTIN, actor=pat)
    services.scan_item(order, "kp-mug", actor=pat)
    with pytest.raises(NothingLeftOfItem) as extra:
        services.scan_item(order, MUG_GTIN, actor=pat)
    assert extra.value.expected == "nothing"
    assert qty_at("KP-MUG", tote_of(order)) == (0, 0)


def test_a_case_pack_counts_its_units_and_never_more_than_left(floor, boss, ana, pat):
    order = make_order([("KP-CAN", 18)])
    picked(order, boss=boss, picker=ana)
    services.start_packing(tote_of(order), actor=pat)
    package = services.scan_item(order, CASE, actor=pat).package
    assert [(line.qty) for line in package.lines] == [12]
    with pytest.raises(TooMany) as many:
        services.scan_item(order, CASE, actor=pat)
    assert many.value.expected == "at most 6"
    services.scan_item(order, "KP-CAN", qty=6, actor=pat)
    assert package.lines[0].qty == 18


def test_lots_from_gs1_must_be_the_lot_picked(floor, boss, ana, pat):
    order = make_order([("KP-LOT", 2)])
    picked(order, boss=boss, picker=ana)
    services.start_packing(tote_of(order), actor=pat)
    with pytest.raises(WrongLot) as wrong:
        services.scan_item(order, f"]C101{LOT_GTIN.zfill(14)}10L2", actor=pat)
    assert wrong.value.expected == "L1"
    package = services.scan_item(order, f"]C101{LOT_GTIN.zfill(14)}10L1", actor=pat).package
    services.scan_item(order, "KP-LOT", actor=pat)
    assert [(line.lot, line.qty) for line in package.lines] == [("L1", 2)]


def test_units_go_into_the_package_being_packed(floor, boss, ana, pat):
    order = make_order([("KP-MUG", 2), ("KP-BOOK", 1)])
    picked(order, boss=boss, picker=ana)
    services.start_packing(tote_of(order), station="KPACK-1", actor=pat)
    first = services.scan_item(order, MUG_GTIN, actor=pat).package
    assert services.new_package(order, actor=pat) is not first
    assert services.new_package(order, actor=pat).number == 2  # an empty open package is given back
    second = services.scan_item(order, "KP-BOOK", actor=pat).package
    third = services.scan_item(order, MUG_GTIN, package_number=1, actor=pat).package
    assert (second.number, third is first) == (2, True)
    assert {p.number: [(l.item.sku, l.qty) for l in p.lines] for p in services.live_packages(order)} == \
        {1: [("KP-MUG", 2)], 2: [("KP-BOOK", 1)]}
    with pytest.raises(InvalidInput):
        services.close_package(first, weight_g=800, actor=pat)  # neither a box nor dimensions
    services.close_package(first, box="BX-S", weight_g=800, actor=pat)
    assert (first.length_mm, first.width_mm, first.height_mm, first.weight_g) == (200, 150, 100, 800)
    assert order.status == OrderStatus.PICKED  # package 2 is still open
    services.close_package(second, length_mm=250, width_mm=180, height_mm=40, weight_g=650, actor=pat)
    assert order.status == OrderStatus.PACKED
    assert order.events[-1].user_id == pat.user_id


def test_no_package_closes_empty_and_the_order_waits_for_every_unit(floor, boss, ana, pat):
    order = make_order([("KP-MUG", 2)])
    picked(order, boss=boss, picker=ana)
    services.start_packing(tote_of(order), actor=pat)
    (package,) = services.live_packages(order)
    with pytest.raises(EmptyPackage):
        services.close_package(package, box="BX-S", weight_g=400, actor=pat)
    services.scan_item(order, MUG_GTIN, actor=pat)
    services.close_package(package, box="BX-S", weight_g=400, actor=pat)
    assert order.status == OrderStatus.PICKED  # one mug still in the tote: no label yet
    with pytest.raises(PackageClosed):
        services.scan_item(order, MUG_GTIN, actor=pat)
    services.pack_override(order, reason="second mug chipped", actor=boss)
    assert order.status == OrderStatus.PACKED
    assert qty_at("KP-MUG", tote_of(order)) == (1, 0)  # left in the tote, promised to nobody: to put away


def test_packing_moves_tote_to_carton_through_the_ledger_and_consumes_the_reservation(floor, boss, ana, pat):
    order = make_order([("KP-MUG", 3)])
    picked(order, boss=boss, picker=ana)
    tote = tote_of(order)
    assert qty_at("KP-MUG", tote) == (3, 3)
    services.start_packing(tote, actor=pat)
    package = services.scan_item(order, MUG_GTIN, qty=2, actor=pat).package
    assert qty_at("KP-MUG", tote) == (1, 1)
    assert qty_at("KP-MUG", package.container.code) == (2, 0)
    move = db.session.scalars(sa.select(StockMove).where(StockMove.kind == "pack")).one()
    assert (move.qty, move.src_id, move.dst_id, move.ref_type, move.ref_id, move.user_id) == \
        (2, services.find_location(tote).id, package.container_id, "package", package.id, pat.user_id)
    held = db.session.scalars(sa.select(Reservation).where(Reservation.order_line_id == order.lines[0].id)).all()
    assert [r.qty for r in held] == [1]
    assert verify_ledger() == []


def test_a_sort_later_tote_finds_the_order_by_the_item(floor, boss, ana, pat):
    mug, book = make_order([("KP-MUG", 1)]), make_order([("KP-BOOK", 1)])
    from server.picking import batching, services as picking
    from server.picking.allocation import allocate
    allocate([mug.id, book.id], actor=boss)
    batch = batching.build_batch(size=4, actor=boss, release=True, sort_later=True)
    picking.start_batch_on_cart("KCART-1", actor=ana)
    for task in list(batch.tasks):
        picking.confirm_pick(task, location_code=task.location.code, item_code=task.item.sku, qty=task.qty,
                             tote_code=tote_of(mug), actor=ana)
    assert tote_of(mug) == tote_of(book)
    with pytest.raises(ScanItemFirst):
        services.start_packing(tote_of(mug), actor=pat)
    assert services.start_packing(tote_of(mug), item_code="KP-BOOK", actor=pat) is book
    with pytest.raises(WrongItem):
        services.start_packing(tote_of(mug), item_code="KP-CAN", actor=pat)


def test_the_smallest_box_that_fits_is_suggested(floor):
    """Boxes (inner): BX-S 200×150×100 (3 l, 5 kg), BX-M 300×250×200 (15 l), BX-L 600×400×400 (96 l, 30 kg
    with 600 g tare). A mug is 120×90×100 (1.08 l, 350 g), a book 240×170×30 (1.224 l, 600 g)."""
    from server.catalog.services import get_item
    mug, post, book, lot = (get_item(s) for s in ("KP-MUG", "KP-POST", "KP-BOOK", "KP-LOT"))
    assert suggest_box([(mug, 1)]).code == "BX-S"
    assert suggest_box([(mug, 2)]).code == "BX-S"  # 2.16 l in 3 l
    assert suggest_box([(mug, 3)]).code == "BX-M"  # 3.24 l
    assert suggest_box([(book, 1)]).code == "BX-M"  # its 170 mm side is wider than BX-S's 150, whichever way
    assert suggest_box([(mug, 13)]).code == "BX-M"  # 14.04 l
    assert suggest_box([(mug, 14)]).code == "BX-L"  # 15.12 l
    assert suggest_box([(post, 1)]).code == "BX-L"  # 550 mm long, stood along BX-L's 600
    assert suggest_box([(book, 40)]).code == "BX-L"  # 24 kg + 600 g tare
    assert suggest_box([(book, 50)]) is None  # 30 kg + tare: too heavy for any box
    assert suggest_box([(lot, 5)]) is None  # nothing measured: no basis for a suggestion


def test_a_wedge_scale_reading_becomes_grams():
    assert grams_from_scale("1.25 kg") == 1250
    assert grams_from_scale("2.5 lb") == 1134
    assert grams_from_scale("ST,GS,+0000.850kg\r") == 850
    assert grams_from_scale("850 g") == 850
    assert grams_from_scale("0,5 KG") == 500
    assert grams_from_scale("12 oz") == 340
    for bad in ("", "kg", "0 kg", "-1 kg", "12"):
        with pytest.raises(InvalidInput):
            grams_from_scale(bad)


def test_an_order_that_cannot_ship_goes_back_with_its_reason(floor, boss, ana, pat):
    order = make_order([("KP-MUG", 2)])
    picked(order, boss=boss, picker=ana)
    tote = tote_of(order)
    services.start_packing(tote, station="KPACK-1", actor=pat)
    package = services.scan_item(order, MUG_GTIN, actor=pat).package
    carton = package.container
    unpack.send_back(order, reason="mug cracked", actor=pat)
    assert order.status == OrderStatus.OPEN and order.events[-1].note == "Back from packing: mug cracked"
    assert services.live_packages(order) == [] and not carton.active
    assert qty_at("KP-MUG", tote) == (2, 2)  # back in the tote, promised to the order again
    assert qty_at("KP-MUG", carton.code) == (0, 0)
    assert verify_ledger() == []


def test_an_order_sent_back_to_a_bin_frees_its_units(floor, boss, ana, pat):
    order = make_order([("KP-MUG", 2)])
    picked(order, boss=boss, picker=ana)
    tote = tote_of(order)
    services.start_packing(tote, actor=pat)
    services.scan_item(order, MUG_GTIN, actor=pat)
    with pytest.raises(InvalidInput):
        unpack.send_back(order, reason="", to="KA-1", actor=pat)
    unpack.send_back(order, reason="customer address wrong", to="KA-1", actor=pat)
    assert qty_at("KP-MUG", "KA-1") == (20, 0) and qty_at("KP-MUG", tote) == (0, 0)
    assert [line.qty_picked for line in order.lines] == [0]
    assert db.session.scalars(sa.select(Reservation)).all() == []
    assert verify_ledger() == []


def test_packing_slips_print_on_the_station_printer_when_the_order_is_packed(floor, boss, ana, pat):
    from server.printing.models import PrintJob
    from server.printing.services import assign_station, create_printer
    assign_station("KPACK-1", create_printer("SLIPS", host="127.0.0.1", port=9100, dpi=300))
    order = make_order([("KP-MUG", 1), ("KP-BOOK", 1)])
    picked(order, boss=boss, picker=ana)
    services.start_packing(tote_of(order), station="KPACK-1", actor=pat)
    first = services.scan_item(order, MUG_GTIN, actor=pat).package
    services.close_package(first, box="BX-S", weight_g=400, actor=pat)
    second = services.new_package(order, actor=pat)
    services.scan_item(order, "KP-BOOK", actor=pat)
    assert db.session.scalars(sa.select(PrintJob)).all() == []  # nothing before the order is packed
    services.close_package(second, box="BX-M", weight_g=700, actor=pat)
    jobs = db.session.scalars(sa.select(PrintJob).order_by(PrintJob.id)).all()
    assert [(j.kind, j.ref_type, j.ref_id, j.created_by) for j in jobs] == \
        [("packing_slip", "package", first.id, pat.user_id), ("packing_slip", "package", second.id, pat.user_id)]
    assert all(order.channel_order_id.encode() in j.payload and j.payload.startswith(b"^XA") for j in jobs)
    assert b"KP-BOOK" in jobs[1].payload and b"KP-BOOK" not in jobs[0].payload
