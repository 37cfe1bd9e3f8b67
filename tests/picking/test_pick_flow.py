"""The pick flow's rules: binding a cart, confirming, wrong scans with `expected`, case packs, lots, short picks,
skips, cancelling a batch or an order, and the order and batch statuses along the way."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.inventory.ledger_models import Reservation, StockBalance
from server.inventory.queries import verify_ledger
from server.orders.models import OrderStatus
from server.picking import batching, services
from server.picking.errors import (
    CartInUse, CartTooSmall, NotACart, NothingToPick, NotYourBatch, PickLotRequired, TaskClosed, TooMany, UnknownCart,
    WrongItem, WrongLocation, WrongLot, WrongTote,
)
from server.picking.models import BatchStatus, TaskStatus
from tests.factories import make_actor, make_stock
from tests.picking.pickfloor import CASE, FLOOR, LOT_GTIN, NOW, PLAIN_GTIN, allocated, make_order  # noqa: F401

pytestmark = pytest.mark.rollback


@pytest.fixture
def boss(users):
    return make_actor(users["supervisor"])


@pytest.fixture
def ana(users):
    return make_actor(users["picker"], device_id="HH-ANA-01")


def on_cart(orders, boss, picker, cart="PCART-1", **kw):
    allocated(*orders, actor=boss)
    batch = batching.build_batch(size=8, actor=boss, release=True, now=NOW, **kw)
    assert services.start_batch_on_cart(cart, actor=picker) is batch
    return batch


def qty_at(sku, code):
    from server.catalog.services import get_item
    from server.inventory.locations import find_location
    row = db.session.scalar(sa.select(StockBalance).where(StockBalance.item_id == get_item(sku).id,
                                                          StockBalance.location_id == find_location(code).id))
    return (row.qty, row.reserved) if row else (0, 0)


def pick(task, picker, **kw):
    tote = next(bo for bo in task.batch.orders if bo.tote_number == task.tote_number).tote_id
    from server.inventory.models import Location
    args = {"location_code": task.location.code, "item_code": task.item.sku, "qty": task.qty - task.qty_picked,
            "tote_code": db.session.get(Location, tote).code} | kw
    return services.confirm_pick(task, actor=picker, **args)


def test_scanning_a_cart_binds_its_totes_in_order_and_starts_the_orders(floor, boss, ana):
    first, second = make_order([("PK-A", 1)]), make_order([("PK-B", 1)])
    batch = on_cart([first, second], boss, ana)
    assert batch.status == BatchStatus.PICKING and batch.picker_id == ana.user_id
    assert [bo.tote_id for bo in batch.orders] == [l.id for l in services._totes_of(batch_cart(batch))[:2]]
    assert first.status == second.status == OrderStatus.PICKING
    assert first.events[-1].user_id == ana.user_id
    assert services.start_batch_on_cart("pcart-1", actor=ana) is batch  # scanned again: the same batch


def batch_cart(batch):
    from server.inventory.models import Location
    return db.session.get(Location, batch.cart_id)


def test_cart_refusals(floor, boss, ana, users):
    ben = make_actor(users["admin"])
    with pytest.raises(UnknownCart):
        services.start_batch_on_cart("NO-SUCH-CART", actor=ana)
    with pytest.raises(NotACart):
        services.start_batch_on_cart("PT-11", actor=ana)
    with pytest.raises(NothingToPick):
        services.start_batch_on_cart("PCART-1", actor=ana)
    allocated(*[make_order([("PK-C", 1)]) for _ in range(3)], actor=boss)
    batching.build_batch(size=3, actor=boss, release=True, now=NOW)
    with pytest.raises(CartTooSmall) as small:
        services.start_batch_on_cart("PCART-2", actor=ana)
    assert small.value.expected == "3"
    services.start_batch_on_cart("PCART-1", actor=ana)
    with pytest.raises(CartInUse):  # Ana's cart, another picker
        services.start_batch_on_cart("PCART-1", actor=ben)
    with pytest.raises(CartInUse) as own:  # Ana has a batch on another cart
        services.start_batch_on_cart("PCART-2", actor=ana)
    assert own.value.expected == "PCART-1"


def test_two_pickers_get_different_batches(floor, boss, ana, users):
    ben = make_actor(users["admin"])
    allocated(make_order([("PK-A", 1)], hours=5), make_order([("PK-B", 1)], hours=2), actor=boss)
    later = batching.build_batch(size=1, actor=boss, release=True, now=NOW)  # builds the most urgent first
    sooner = batching.build_batch(size=1, actor=boss, release=True, now=NOW)
    assert services.start_batch_on_cart("PCART-1", actor=ana) is later
    assert services.start_batch_on_cart("PCART-2", actor=ben) is sooner


def test_confirming_every_pick_moves_the_units_into_the_totes_and_finishes_orders_and_batch(floor, boss, ana):
    one, two = make_order([("PK-A", 2), ("PK-B", 1)]), make_order([("PK-B", 3)])
    batch = on_cart([one, two], boss, ana)
    tasks = sorted(batch.tasks, key=lambda t: t.sequence)
    for task in tasks:
        pick(task, ana)
        assert task.status == TaskStatus.PICKED and task.picked_by == ana.user_id
        assert task.device_id == "HH-ANA-01" and task.picked_at is not None
    assert one.status == two.status == OrderStatus.PICKED
    assert [l.qty_picked for l in one.lines + two.lines] == [2, 1, 3]
    assert batch.status == BatchStatus.DONE and batch.finished_at is not None
    assert qty_at("PK-B", "PA-2-2") == (6, 0)
    assert qty_at("PK-B", "PT-11") == (1, 1) and qty_at("PK-B", "PT-12") == (3, 3)  # still promised to the lines
    assert verify_ledger() == []


def test_a_partial_pick_keeps_the_task_open(floor, boss, ana):
    batch = on_cart([make_order([("PK-B", 3)])], boss, ana)
    task = batch.tasks[0]
    pick(task, ana, qty=2)
    assert task.status == TaskStatus.OPEN and task.qty_picked == 2
    with pytest.raises(TooMany) as too_many:
        pick(task, ana, qty=2)
    assert too_many.value.expected == "at most 1"
    pick(task, ana, qty=1)
    assert task.status == TaskStatus.PICKED
    with pytest.raises(TaskClosed):
        pick(task, ana, qty=1)


def test_wrong_scans_say_what_was_expected_and_move_nothing(floor, boss, ana):
    batch = on_cart([make_order([("PK-A", 1)]), make_order([("PK-B", 1)])], boss, ana)
    task = next(t for t in batch.tasks if t.item.sku == "PK-A")
    with pytest.raises(WrongLocation) as loc:
        pick(task, ana, location_code="PA-2-2")
    assert loc.value.expected == task.location.code
    with pytest.raises(WrongItem) as item:
        pick(task, ana, item_code="PK-B")
    assert item.value.expected == "PK-A"
    with pytest.raises(WrongItem):  # a bin scanned where the item belongs
        pick(task, ana, item_code="PA-2-2")
    with pytest.raises(WrongTote) as tote:
        pick(task, ana, tote_code="PT-12" if task.tote_number == 1 else "PT-11")
    assert tote.value.expected == f"PT-1{task.tote_number}"
    assert task.qty_picked == 0 and qty_at("PK-A", task.location.code)[1] == 1
    pick(task, ana, item_code=PLAIN_GTIN)  # its GTIN is the item too
    assert task.status == TaskStatus.PICKED


def test_a_case_pack_barcode_counts_its_units(floor, boss, ana):
    batch = on_cart([make_order([("PK-CASE", 12)])], boss, ana)
    task = batch.tasks[0]
    pick(task, ana, item_code=CASE, qty=None)
    assert task.qty_picked == 12 and task.status == TaskStatus.PICKED


def test_a_lot_tracked_item_needs_its_lot(floor, boss, ana):
    batch = on_cart([make_order([("PK-LOT", 2)])], boss, ana)
    task = batch.tasks[0]
    assert task.lot == "L1"
    with pytest.raises(PickLotRequired) as required:
        pick(task, ana, item_code=LOT_GTIN, qty=1)
    assert required.value.expected == "L1"
    with pytest.raises(WrongLot):
        pick(task, ana, item_code=LOT_GTIN, qty=1, lot="L9")
    pick(task, ana, item_code=f"]C101{LOT_GTIN.zfill(14)}10L1", qty=1)  # GS1: GTIN + lot
    pick(task, ana, item_code=LOT_GTIN, qty=1, expiry="2027-03-31")  # the expiry names the lot
    assert task.status == TaskStatus.PICKED


def test_only_the_batchs_picker_picks_its_tasks(floor, boss, ana, users):
    batch = on_cart([make_order([("PK-A", 1)])], boss, ana)
    with pytest.raises(NotYourBatch):
        pick(batch.tasks[0], make_actor(users["admin"]))


def test_a_short_pick_counts_the_bin_and_reallocates_from_another(floor, boss, ana):
    from server.counts.models import CountRequest
    order = make_order([("PK-C", 4)])  # PA-1-1 (10) covers it
    batch = on_cart([order], boss, ana)
    task = batch.tasks[0]
    result = services.short_pick(task, found=1, tote_code="PT-11", actor=ana)
    assert task.status == TaskStatus.SHORT and task.qty_picked == 1
    [new] = result["new_tasks"]
    assert (new.location.code, new.qty, new.sequence, new.tote_number) == ("PA-1-1B", 3, 2, 1)
    assert result["missing"] == 0 and order.short_units == 0
    count = result["count_request"]
    assert db.session.get(CountRequest, count.id).location.code == "PA-1-1"
    assert (count.reason, count.pick_task_id, count.expected_qty) == ("short_pick", task.id, 9)
    assert qty_at("PK-C", "PA-1-1") == (9, 0) and qty_at("PK-C", "PA-1-1B") == (10, 3)
    pick(new, ana)
    assert order.status == OrderStatus.PICKED and batch.status == BatchStatus.DONE
    assert verify_ledger() == []


def test_a_short_pick_with_no_stock_elsewhere_leaves_the_order_short(floor, boss, ana):
    order = make_order([("PK-B", 1), ("PK-A", 1)])
    batch = on_cart([order], boss, ana)
    task = next(t for t in batch.tasks if t.item.sku == "PK-B")
    other = make_order([("PK-B", 12)])  # takes the other 9 of PA-2-2 and PN-NOXY's 3: nowhere else to go
    from server.picking.allocation import allocate
    allocate([other.id], actor=boss)
    result = services.short_pick(task, found=0, tote_code=None, actor=ana)
    assert result["new_tasks"] == [] and result["missing"] == 1 and order.short_units == 1
    pick(next(t for t in batch.tasks if t.item.sku == "PK-A"), ana)
    # The batch is done and the order not fully picked: back to open and short, waiting for stock.
    assert batch.status == BatchStatus.DONE and order.status == OrderStatus.OPEN and order.short_units == 1
    assert order.events[-1].from_status == OrderStatus.PICKING and "short" in order.events[-1].note
    assert verify_ledger() == []
    # Stock arrives: the next allocation tops it up, and the next batch picks only the missing unit.
    make_stock("PK-B", "PA-1-1", 1)
    allocate([order.id], actor=boss)
    assert order.status == OrderStatus.ALLOCATED and order.short_units == 0
    from server.picking.batching import build_batch
    again = build_batch(size=4, actor=boss, release=True)
    mine = {line.id for line in order.lines}
    assert [(t.item.sku, t.qty) for t in again.tasks if t.order_line_id in mine] == [("PK-B", 1)]


def test_a_skipped_task_goes_last_and_is_still_to_pick(floor, boss, ana):
    batch = on_cart([make_order([("PK-A", 1), ("PK-B", 1), ("PK-C", 1)])], boss, ana)
    first = min(batch.tasks, key=lambda t: t.sequence)
    services.skip_task(first, actor=ana)
    assert first.status == TaskStatus.SKIPPED and first.sequence == 4
    for task in sorted(batch.tasks, key=lambda t: t.sequence):
        pick(task, ana)
    assert first.status == TaskStatus.PICKED and batch.status == BatchStatus.DONE


def test_cancelling_a_batch_sends_its_orders_back_and_keeps_picked_units_in_the_tote(floor, boss, ana):
    one, two = make_order([("PK-A", 1)]), make_order([("PK-B", 2)])
    batch = on_cart([one, two], boss, ana)
    pick(next(t for t in batch.tasks if t.item.sku == "PK-B"), ana, qty=1)
    services.cancel_batch(batch, actor=boss)
    assert batch.status == BatchStatus.CANCELLED
    assert {t.status for t in batch.tasks} == {TaskStatus.CANCELLED}
    assert one.status == two.status == OrderStatus.ALLOCATED
    assert qty_at("PK-B", "PT-12") == (1, 1) and qty_at("PK-B", "PA-2-2") == (9, 1)
    again = batching.build_batch(size=8, actor=boss, now=NOW)  # the rest is picked by the next batch
    assert sorted((t.item.sku, t.qty) for t in again.tasks) == [("PK-A", 1), ("PK-B", 1)]
    assert verify_ledger() == []


def test_cancelling_an_order_cancels_its_open_tasks(floor, boss, ana):
    from server.orders.services import cancel_order
    one, two = make_order([("PK-A", 1)]), make_order([("PK-B", 1)])
    batch = on_cart([one, two], boss, ana)
    cancel_order(one, reason="Buyer asked", source="buyer", actor=boss)
    assert {t.item.sku: t.status for t in batch.tasks} == {"PK-A": TaskStatus.CANCELLED, "PK-B": TaskStatus.OPEN}
    pick(next(t for t in batch.tasks if t.item.sku == "PK-B"), ana)
    assert batch.status == BatchStatus.DONE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reservation)
                             .where(Reservation.order_line_id == one.lines[0].id)) == 0
