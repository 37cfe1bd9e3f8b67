"""A small stocked floor for the stock, movement and receipt pages, and ledger look-ups for the tests.

Zones A and B, a dock with a tote on it, three items, stock entered through the ledger:
MUG-1: A-01 10, B-01 4, TOTE-7 2 (16 on hand in 3 locations); TEA-1 (lots): A-02 L1 6 (expires 2027-01-31),
A-02 L2 3 (expires 2026-12-31); CUP-9: none. Every adjustment is by the receiver on handheld HH-7.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from tests.factories import FloorPlan, build_floor, place, sku

MUG_BARCODE = "4006381333931"
SCANNED_AT = datetime(2026, 3, 14, 8, 15, 30, tzinfo=timezone.utc)
OPENING = (("MUG-1", "A-01", 10, None, None), ("MUG-1", "B-01", 4, None, None),
           ("TEA-1", "A-02", 6, "L1", date(2027, 1, 31)), ("TEA-1", "A-02", 3, "L2", date(2026, 12, 31)),
           ("MUG-1", "TOTE-7", 2, None, None))


PLAN = FloorPlan(
    locations=(place("A-01", zone="A", seq=1), place("A-02", zone="A", seq=2), place("B-01", zone="B", seq=3),
               place("DOCK-1", "dock", zone="B", seq=4), place("TOTE-7", "tote", parent="DOCK-1", seq=5)),
    items=(sku("MUG-1", "Blue mug", barcodes=[MUG_BARCODE]),
           sku("TEA-1", "Green tea", tracks_lot=True, tracks_expiry=True), sku("CUP-9", "Paper cup")),
    stock=OPENING,
    by="receiver", device_id="HH-7", scanned_at=SCANNED_AT)


def build(users) -> dict:
    """Build the floor in one committed transaction → {"actor": the receiver on HH-7}."""
    return build_floor(PLAN, users)


def balance(sku: str, code: str, lot: str = "") -> int:
    """On-hand units of an item in a location (and lot), read fresh from the database."""
    import sqlalchemy as sa

    from server.catalog.services import get_item
    from server.extensions import db
    from server.inventory.ledger_models import StockBalance
    from server.inventory.locations import find_location
    db.session.expire_all()
    return db.session.scalar(sa.select(StockBalance.qty).where(
        StockBalance.item_id == get_item(sku).id, StockBalance.location_id == find_location(code).id,
        StockBalance.lot == lot)) or 0


def move_ids(**filters) -> list[int]:
    """Ids of the movements matching the filters, newest first."""
    from server.inventory.queries import movement_history
    rows, _total = movement_history(limit=1000, **filters)
    return [m.id for m in rows]
