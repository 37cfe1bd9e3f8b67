"""The picking tests' floor: two zones of bins with floor coordinates, a cart of four totes, a small cart of
two, plain, case-pack and lot-tracked items with stock, and helpers to make allocated orders."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

from tests.factories import FloorPlan, place, sku

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
CASE = "10614141009999"  # a case of 12 of PK-CASE (valid GS1 check digit)
PLAIN_GTIN = "0614141009992"
LOT_GTIN = "0614141009985"
EXPIRY = date(2027, 3, 31)

FLOOR = FloorPlan(
    locations=(
        # zone PA: three aisles 3 m apart; PA-1-1 and PA-1-1B share a spot (two levels of one bay)
        place("PA-1-1", zone="PA", x=3.0, y=1.2, seq=10), place("PA-1-1B", zone="PA", x=3.0, y=1.2, seq=11),
        place("PA-1-8", zone="PA", x=3.0, y=9.6, seq=12), place("PA-2-2", zone="PA", x=6.0, y=2.4, seq=20),
        place("PA-2-9", zone="PA", x=6.0, y=10.8, seq=21), place("PA-3-4", zone="PA", x=9.0, y=4.8, seq=30),
        place("PB-1-1", zone="PB", x=30.0, y=1.2, seq=90), place("PN-NOXY", zone="PA", seq=99),
        place("PK-DOCK", "dock", zone="PD", x=0.0, y=0.0, pickable=False),
        place("PCART-1", "cart"), *(place(f"PT-1{n}", "tote", parent="PCART-1") for n in range(1, 5)),
        place("PCART-2", "cart"), *(place(f"PT-2{n}", "tote", parent="PCART-2") for n in range(1, 3)),
    ),
    items=(
        sku("PK-A", "Apple mug", barcodes=[PLAIN_GTIN]), sku("PK-B", "Bamboo board"), sku("PK-C", "Cable"),
        sku("PK-D", "Desk lamp"), sku("PK-CASE", "Case item", barcodes=["0614141009978", f"{CASE}*12"]),
        sku("PK-LOT", "Probiotic", barcodes=[LOT_GTIN], tracks_lot=True, tracks_expiry=True),
    ),
    stock=(
        ("PK-A", "PA-1-8", 10), ("PK-A", "PA-3-4", 5), ("PK-B", "PA-2-2", 10), ("PK-C", "PA-1-1", 10),
        ("PK-C", "PA-1-1B", 10), ("PK-D", "PA-2-9", 10), ("PK-D", "PB-1-1", 10), ("PK-CASE", "PA-2-9", 24),
        ("PK-LOT", "PA-1-1", 6, "L1", EXPIRY), ("PK-B", "PN-NOXY", 3),
    ),
)

_numbers = itertools.count(1)


def make_order(lines, *, hours: float = 24, ordered_hours_ago: float = 1, channel: str = "test"):
    """An open order with lines [(sku, qty)], due `hours` after NOW (flushes; call inside a transaction)."""
    from server.catalog.services import get_item
    from server.extensions import db
    from server.orders.models import Order, OrderLine

    order = Order(channel=channel, channel_order_id=f"PK-{next(_numbers)}-{id(lines) % 9973}",
                  ship_to_name="Ana", ship_to_address1="1 Road", ship_to_city="Town", ship_to_postal_code="1000",
                  ship_to_country="US", ordered_at=NOW - timedelta(hours=ordered_hours_ago),
                  ship_by=NOW + timedelta(hours=hours))
    for n, (code, qty) in enumerate(lines, start=1):
        order.lines.append(OrderLine(item_id=get_item(code).id, qty=qty, channel_line_id=str(n)))
    db.session.add(order)
    db.session.flush()
    return order


def allocated(*orders, actor):
    """Allocate the orders (they must all be fully allocated) and return them."""
    from server.picking.allocation import allocate

    result = allocate([o.id for o in orders], actor=actor)
    assert sorted(result.allocated) == sorted(o.id for o in orders), result
    return orders
