"""SQL statements for one pack scan (POST /api/packing/orders/<id>/scan), counted as tests/test_sql_counts.py
counts them, in the steady state of a pack station: the order started, a scan of the same item before.

What a scan reads once: the Idempotency-Key, the order (locked, re-read in the same statement) with its lines
and their items, the scanned code, the order's waiting units of the item, its packages. The ledger moves the
unit tote → carton; the answer (the pack state) reads the waiting units once more (after the move), barcodes,
location codes, the override, the box types, and reuses the order, lines, items and packages in hand.
"""

from __future__ import annotations

import pytest

from server.http import run_in_transaction
from tests.factories import make_actor
from tests.packing.packfloor import FLOOR, MUG_GTIN, make_order, picked, tote_of
from tests.test_sql_counts import durable_sqlite, listing, statements  # noqa: F401 (autouse)

SCAN_LIMIT = 28  # 34 before the scan read its order, lines and waiting units once (issue 9 polish)


@pytest.fixture
def floor_plan():
    return FLOOR


def test_a_pack_scan_costs_at_most_its_bound(db, floor, users, api):
    def setup():
        made = make_order([("KP-MUG", 3), ("KP-CAN", 12), ("KP-BOOK", 1)])
        picked(made, boss=make_actor(users["supervisor"]), picker=make_actor(users["picker"]))
        return made.id, tote_of(made)
    order_id, tote = run_in_transaction(setup)
    packer = api("packer")
    assert packer.post("/api/packing/start", {"code": tote, "station": "KPACK-1"}).status_code == 200
    url = f"/api/packing/orders/{order_id}/scan"
    assert packer.post(url, {"code": MUG_GTIN}).status_code == 200  # warms the token cache and the pool
    with statements(db) as seen:
        r = packer.post(url, {"code": MUG_GTIN})
    assert r.status_code == 200, r.json
    assert r.json["last"] == {"sku": "KP-MUG", "qty": 1, "package": 1}
    assert [(x["sku"], x["packed"], x["left"]) for x in r.json["lines"]] == \
        [("KP-MUG", 2, 1), ("KP-CAN", 0, 12), ("KP-BOOK", 0, 1)]
    assert r.json["still_to_pack"] == "KP-MUG ×1, KP-CAN ×12, KP-BOOK ×1"
    assert len(seen) <= SCAN_LIMIT, f"{len(seen)} statements for one pack scan:\n{listing(seen)}"
