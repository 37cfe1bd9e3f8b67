"""The packing tests' floor: bins, a cart of four totes, a pack station, measured items (one in cases of 12,
one lot-tracked), three box sizes; and a helper that gets orders picked through the picking services."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

from tests.factories import FloorPlan, place, sku

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
MUG_GTIN = "0614141009992"
CASE = "10614141009999"  # a case of 12 cans (valid GS1 check digit)
LOT_GTIN = "0614141009985"
EXPIRY = date(2027, 3, 31)


def _boxes(_floor) -> dict:
    from server.packing.box_types import create_box_type

    create_box_type("BX-S", "Small", length_mm=200, width_mm=150, height_mm=100, max_weight_g=5000)
    create_box_type("BX-M", "Medium", length_mm=300, width_mm=250, height_mm=200, max_weight_g=15000, tare_g=300)
    create_box_type("BX-L", "Large", length_mm=600, width_mm=400, height_mm=400, max_weight_g=30000, tare_g=600)
    return {}


FLOOR = FloorPlan(
    locations=(
        place("KA-1", zone="KA", x=1.0, y=1.0, seq=1), place("KA-2", zone="KA", x=1.0, y=2.0, seq=2),
        place("KA-3", zone="KA", x=1.0, y=3.0, seq=3), place("KA-4", zone="KA", x=1.0, y=4.0, seq=4),
        place("KPACK-1", "pack_station", pickable=False), place("KPACK-2", "pack_station", pickable=False),
        place("KCART-1", "cart"), *(place(f"KT-1{n}", "tote", parent="KCART-1") for n in range(1, 5)),
    ),
    items=(
        sku("KP-MUG", "Mug", barcodes=[MUG_GTIN], length_mm=120, width_mm=90, height_mm=100, weight_g=350),
        sku("KP-CAN", "Can", barcodes=[f"{CASE}*12"], length_mm=66, width_mm=66, height_mm=115, weight_g=360),
        sku("KP-POST", "Poster tube", length_mm=550, width_mm=80, height_mm=80, weight_g=200),
        sku("KP-LOT", "Probiotic", barcodes=[LOT_GTIN], tracks_lot=True, tracks_expiry=True),
        sku("KP-BOOK", "Book", length_mm=240, width_mm=170, height_mm=30, weight_g=600),
    ),
    stock=(
        ("KP-MUG", "KA-1", 20), ("KP-CAN", "KA-2", 48), ("KP-POST", "KA-3", 5), ("KP-BOOK", "KA-3", 10),
        ("KP-LOT", "KA-4", 5, "L1", EXPIRY), ("KP-LOT", "KA-4", 5, "L2", EXPIRY + timedelta(days=30)),
    ),
    extra=_boxes,
)

_numbers = itertools.count(1)


def make_order(lines, *, channel: str = "amazon"):
    """An open order with lines [(sku, qty)] (flushes; call inside a transaction)."""
    from server.catalog.services import get_item
    from server.extensions import db
    from server.orders.models import Order, OrderLine

    order = Order(channel=channel, channel_order_id=f"KO-{next(_numbers)}", ship_to_name="Ana",
                  ship_to_address1="1 Road", ship_to_city="Town", ship_to_postal_code="10001", ship_to_country="US",
                  ordered_at=NOW - timedelta(hours=1), ship_by=NOW + timedelta(hours=24))
    for n, (code, qty) in enumerate(lines, start=1):
        order.lines.append(OrderLine(item_id=get_item(code).id, qty=qty, channel_line_id=f"{n}0{n}"))
    db.session.add(order)
    db.session.flush()
    return order


def picked(*orders, boss, picker, short: dict[str, int] | None = None):
    """Allocate, batch and pick the orders onto KCART-1 (short: sku → units found for that line's task)."""
    from server.extensions import db
    from server.inventory.models import Location
    from server.picking import batching, services
    from server.picking.allocation import allocate

    allocate([o.id for o in orders], actor=boss)
    batch = batching.build_batch(size=4, actor=boss, release=True, now=NOW)
    services.start_batch_on_cart("KCART-1", actor=picker)
    for task in list(batch.tasks):
        tote = db.session.get(Location, next(bo.tote_id for bo in batch.orders if bo.tote_number == task.tote_number))
        if short and task.item.sku in short:
            services.short_pick(task, found=short[task.item.sku], tote_code=tote.code, actor=picker)
            continue
        services.confirm_pick(task, location_code=task.location.code, item_code=task.item.sku, qty=task.qty,
                              tote_code=tote.code, lot=task.lot or None, actor=picker)
    return batch


def tote_of(order) -> str:
    import sqlalchemy as sa

    from server.extensions import db
    from server.inventory.models import Location
    from server.picking.models import BatchOrder

    return db.session.scalar(sa.select(Location.code).join(BatchOrder, BatchOrder.tote_id == Location.id)
                             .where(BatchOrder.order_id == order.id))
