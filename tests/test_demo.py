"""The demo at first start (issue 9, item 8): box types, the Virtual Zebra at every pack station, and shipped
orders whose labels are queued for it, so GET /api/shipments and labels.zpl answer real data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.mark.rollback
def test_the_demo_ships_a_few_orders_with_printed_labels(app, api):
    from server.demo import BOX_TYPES, PACK_STATIONS, VIRTUAL_PRINTER, seed_demo
    from server.extensions import db
    from server.http import run_in_transaction
    from server.inventory.queries import verify_ledger
    from server.printing.models import PrintJob
    from server.printing.services import printer_for_station

    assert run_in_transaction(seed_demo) is True
    assert run_in_transaction(seed_demo) is False  # safe to run twice

    assert {printer_for_station(code).name for code in PACK_STATIONS} == {VIRTUAL_PRINTER}
    assert printer_for_station("PACK-1").dpi == 203
    shipments = api().get("/api/shipments").json["shipments"]
    assert sorted(s["status"] for s in shipments) == ["shipped"] * 3
    numbers = [n for s in shipments for n in s["tracking_numbers"]]
    assert "1Z5R89390357567127" in numbers and len(numbers) > 3  # one order went in several packages
    for shipment in shipments:
        r = api().get(f"/api/shipments/{shipment['id']}/labels.zpl")
        assert r.status_code == 200
        zpl = r.get_data()
        assert zpl.count(b"^XA") == len(shipment["tracking_numbers"]) and b"^PW812" in zpl
        assert all(n.encode() in zpl for n in shipment["tracking_numbers"])
    labels = db.session.scalars(sa.select(PrintJob).where(PrintJob.kind == "shipping_label")).all()
    assert len(labels) == len(numbers) and {j.status.value for j in labels} == {"queued"}
    assert len(BOX_TYPES) == 5
    assert verify_ledger() == []
