"""Replenishment API shapes."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Integer, List, Nested, String
from apiflask.validators import Range


class ComputeIn(Schema):
    days = Integer(load_default=90, validate=Range(min=7, max=730),
                   metadata={"description": "days of demand history (shipments to customers) to use"})


class ComputedOut(Schema):
    items = Integer(metadata={"description": "how many items' parameters were recomputed"})


class LowStockOut(Schema):
    sku = String()
    name = String()
    on_hand = Integer()
    reserved = Integer()
    on_order = Integer()
    inventory_position = Integer()
    reorder_point = Integer()
    safety_stock = Integer()
    below_by = Integer()


class LowStockList(Schema):
    items = List(Nested(LowStockOut))


def low_stock_out(row) -> dict:
    return {"sku": row.sku, "name": row.name, "on_hand": row.on_hand, "reserved": row.reserved,
            "on_order": row.on_order, "inventory_position": row.position, "reorder_point": row.reorder_point,
            "safety_stock": row.safety_stock, "below_by": row.below_by}
