"""Numbers beyond what a column holds are a 422 naming the field, never a 500 or a booking (issue 7, 4).

A receipt of 2^62 units was once booked (the bin then took no more stock); 2^31 broke PostgreSQL's
INTEGER columns with a 500. Quantities stop at MAX_QTY, other stored numbers at the column's range.
"""

from __future__ import annotations

import pytest

from server.http import run_in_transaction
from server.inventory.codes import MAX_QTY
from tests.factories import FloorPlan, place, sku
from tests.helpers import assert_problem

HUGE = [MAX_QTY + 1, 2**31, 2**62, 2**63 + 5]


FLOOR = FloorPlan(locations=(place("A-01-01", zone="A"), place("A-01-02", zone="A"), place("DOCK-1", "dock")),
                  items=(sku("SKU-1", "Mug"),), stock=(("SKU-1", "A-01-01", 5),))


@pytest.mark.parametrize("qty", HUGE)
def test_a_move_beyond_the_largest_quantity_is_refused(api, floor, qty):
    r = api("picker").post("/api/moves", {"item": "SKU-1", "qty": qty, "from": "A-01-01", "to": "A-01-02"})
    assert_problem(r, 422, field="qty")


@pytest.mark.parametrize("qty", HUGE)
def test_a_receipt_beyond_the_largest_quantity_is_refused_and_books_nothing(api, floor, qty):
    r = api("receiver").post("/api/receipts", {"reference": f"PO-{qty}", "lines": [{"item": "SKU-1", "qty": qty}]})
    assert_problem(r, 422)
    blind = api("receiver").post("/api/receipts/blind", {})
    assert blind.status_code == 201, blind.json
    r = api("receiver").post(f"/api/receipts/{blind.json['id']}/receive",
                             {"code": "SKU-1", "qty": qty, "location": "DOCK-1"})
    assert_problem(r, 422, field="qty")
    assert api("receiver").get("/api/stock?item=SKU-1").json["on_hand"] == 5


@pytest.mark.parametrize("qty", [MAX_QTY + 1, -(MAX_QTY + 1), 2**62])
def test_an_adjustment_beyond_the_largest_quantity_is_refused(api, floor, qty):
    r = api("supervisor").post("/api/adjustments", {"item": "SKU-1", "location": "A-01-01", "qty": qty,
                                                     "reason": "found"})
    assert_problem(r, 422, field="qty")


@pytest.mark.parametrize("field", ["aisle", "pick_sequence", "capacity_units"])
def test_a_location_number_beyond_its_column_is_refused(api, floor, field):
    r = api("admin").post("/api/locations", {"code": "B-01-01", field: 2**31})
    assert_problem(r, 422, field=field)


def test_the_largest_quantity_itself_is_accepted(api, floor):
    r = api("supervisor").post("/api/adjustments", {"item": "SKU-1", "location": "A-01-02", "qty": MAX_QTY,
                                                     "reason": "found"})
    assert r.status_code == 201, r.json


def test_the_ledger_refuses_a_huge_quantity_from_any_writer(app, floor):
    """The rule is the ledger's: CSV imports and services get it too, not only the JSON schemas."""
    from server.errors import DomainError
    from server.inventory.ledger import Actor
    from server.inventory.moves import adjust_stock

    with pytest.raises(DomainError) as refused:
        run_in_transaction(adjust_stock, item_code="SKU-1", location_code="A-01-01", delta=2**62,
                           reason="found", actor=Actor(user_id=None))
    assert refused.value.field == "qty"
