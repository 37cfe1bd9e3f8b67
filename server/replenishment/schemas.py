"""Replenishment API shapes."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Float, Integer, List, Nested, String
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


class LeadTimeIn(Schema):
    """A supervisor's inputs for one item: the supplier's lead time (and its spread) and the service level."""

    lead_time_days = Float(required=True, validate=Range(min=0, max=365, min_inclusive=False))
    lead_time_sd_days = Float(load_default=0.0, validate=Range(min=0, max=365))
    service_level = Float(load_default=None, allow_none=True, validate=Range(min=0.5, max=0.999),
                          metadata={"description": "the chance of not running out in a cycle, 0.5–0.999"})


class ParamsOut(Schema):
    sku = String()
    lead_time_days = Float()
    lead_time_sd_days = Float()
    service_level = Float()
    daily_demand = Float(allow_none=True)
    safety_stock = Integer(allow_none=True)
    reorder_point = Integer(allow_none=True)


def params_out(sku: str, params) -> dict:
    return {"sku": sku, "lead_time_days": params.lead_time_days, "lead_time_sd_days": params.lead_time_sd_days,
            "service_level": params.service_level, "daily_demand": params.daily_demand,
            "safety_stock": params.safety_stock, "reorder_point": params.reorder_point}
