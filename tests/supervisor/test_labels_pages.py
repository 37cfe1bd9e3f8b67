"""Labels page: choose location, item, tote and cart labels by zone, search and code range; preview them
(scannable SVG barcodes); print them as one print job per label, in the request or as a background job."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.http import run_in_transaction
from tests.factories import FloorPlan, place, sku
from tests.supervisor.label_images import decode_svg
from tests.supervisor.test_orders_pages import floor_session
from tests.supervisor.web import csrf_token, flashes

pytestmark = pytest.mark.rollback

FLOOR = FloorPlan(
    locations=(place("A-01-01-A", zone="A", seq=3), place("A-01-02-A", zone="A", seq=1),
               place("A-02-01-A", zone="A", seq=2), place("B-01-01-A", zone="B", seq=4),
               place("CART-7", "cart"), place("TOTE-001", "tote", parent="CART-7"),
               place("TOTE-002", "tote", parent="CART-7")),
    items=(sku("MUG-1", "Blue mug", barcodes=("4006381333931",)), sku("TEA-1", "Green tea"),
           sku("ZZZ-9", "Last item")))


@pytest.fixture
def floor_plan():
    """This module's own floor, not the folder's stocked one."""
    return FLOOR


@pytest.fixture
def printer(app):
    from server.printing import services
    return run_in_transaction(lambda: services.create_printer("Label desk", host="127.0.0.1", port=9100, dpi=203))


def _codes(page: str) -> list[str]:
    import re
    return re.findall(r'<figure class="label-preview" data-code="([^"]*)"', page)


def _count(page: str) -> int:
    import re
    return int(re.search(r'id="label-count" data-count="(\d+)"', page).group(1))


def _jobs():
    from server.extensions import db
    from server.printing.models import PrintJob
    db.session.expire_all()
    return db.session.scalars(sa.select(PrintJob).order_by(PrintJob.id)).all()


def _print(client, query: str, **data):
    page = client.get(f"/labels?{query}").text
    form = dict(pair.split("=") for pair in query.split("&") if pair)
    return client.post("/labels/print", data={**form, **data, "csrf_token": csrf_token(page)})


def test_the_selection_by_zone_search_and_range_in_walking_order(floor, supervisor, printer):
    page = supervisor.get("/labels").text  # locations by default: every fixed place, not the containers
    assert _codes(page) == ["A-01-02-A", "A-02-01-A", "A-01-01-A", "B-01-01-A"] and _count(page) == 4
    assert _codes(supervisor.get("/labels?kind=location&zone=B").text) == ["B-01-01-A"]
    assert _codes(supervisor.get("/labels?kind=location&q=01-0").text) == ["A-01-02-A", "A-01-01-A", "B-01-01-A"]
    assert _codes(supervisor.get("/labels?kind=location&first=a-01-02&last=B").text) == ["A-01-02-A", "A-02-01-A"]
    assert _codes(supervisor.get("/labels?kind=tote").text) == ["TOTE-001", "TOTE-002"]
    assert _codes(supervisor.get("/labels?kind=cart").text) == ["CART-7"]
    assert _codes(supervisor.get("/labels?kind=item&first=MUG-1&last=TEA-1").text) == ["MUG-1", "TEA-1"]
    assert _codes(supervisor.get("/labels?kind=item&q=%25").text) == []  # LIKE characters are literal
    nothing = supervisor.get("/labels?kind=location&zone=Q").text
    assert _count(nothing) == 0 and 'id="print-form"' not in nothing


def test_previews_are_svg_with_barcodes_that_scan_to_the_code(floor, supervisor, printer):
    from server.inventory.locations import find_location
    from server.catalog.queries import item_by_sku

    for query, ref_id, expected in (("kind=location", find_location("A-01-01-A").id, ["A-01-01-A"]),
                                    ("kind=tote", find_location("TOTE-002").id, ["TOTE-002"]),
                                    ("kind=item", item_by_sku("MUG-1").id, ["(01)04006381333931", "MUG-1"])):
        r = supervisor.get(f"/labels/preview.svg?{query}&id={ref_id}")
        assert r.status_code == 200 and r.mimetype == "image/svg+xml"
        assert sorted(decode_svg(r.get_data(as_text=True))) == expected, query
    # An id outside the selection (a tote asked for as a location) draws nothing.
    assert supervisor.get(f"/labels/preview.svg?kind=location&id={find_location('TOTE-002').id}").status_code == 404


def test_printing_queues_the_selection_as_one_print_job_on_the_chosen_printer(floor, supervisor, printer, users):
    r = _print(supervisor, "kind=location&zone=A", printer=str(printer.id), copies="2")
    assert r.status_code == 302 and r.location == "/labels?kind=location&zone=A"
    assert flashes(supervisor.get(r.location).text) == ["3 labels sent to the printer."]
    [job] = _jobs()
    assert (job.kind, job.copies, job.printer_id, job.created_by, job.status.value) == (
        "bin", 2, printer.id, users["supervisor"].id, "queued")
    # One label per location, in walking order, each a whole ^XA…^XZ.
    assert job.payload.count(b"^XA") == job.payload.count(b"^XZ") == 3
    positions = [job.payload.index(code.encode()) for code in ("A-01-02-A", "A-02-01-A", "A-01-01-A")]
    assert positions == sorted(positions)

    _print(supervisor, "kind=item&q=mug", printer=str(printer.id), copies="1")
    item_job = _jobs()[1]
    assert (item_job.kind, item_job.ref_type, item_job.payload.count(b"^XA")) == ("item", "item", 1)
    assert b"MUG-1" in item_job.payload
    r = _print(supervisor, "kind=location&zone=Q", printer=str(printer.id), copies="1")
    assert flashes(supervisor.get(r.location).text) == ["Nothing is selected: change the filters."]
    assert len(_jobs()) == 2


def test_many_labels_are_queued_by_a_background_job_with_progress(floor, supervisor, printer, monkeypatch):
    from server.supervisor import labels
    monkeypatch.setattr(labels, "INLINE_LABELS", 2)
    monkeypatch.setattr(labels, "CHUNK_LABELS", 3)  # 4 labels: two chunks, two transactions, two print jobs

    r = _print(supervisor, "kind=location", printer=str(printer.id), copies="1")
    assert r.status_code == 302 and "job=" in r.location
    page = supervisor.get(r.location).text
    assert flashes(page) == ["4 labels are being queued in the background."]
    assert 'id="label-job" class="card" data-status="done"' in page and "4 labels sent to the printer." in page
    assert [j.payload.count(b"^XA") for j in _jobs()] == [3, 1]
    assert b"B-01-01-A" in _jobs()[1].payload  # the last in walking order
    job_id = r.location.split("job=")[1].split("&")[0]
    listed = supervisor.get("/jobs").text  # the jobs page names the kind and links back to its progress
    assert "Labels printed in bulk" in listed and f'href="/labels?job={job_id}"' in listed
    assert supervisor.get("/labels?job=999999").status_code == 404


def test_printing_refuses_a_post_without_the_form_token_and_a_floor_worker(floor, app, supervisor, printer, users):
    assert supervisor.post("/labels/print", data={"kind": "location", "printer": printer.id,
                                                  "copies": 1}).status_code == 400
    packer, token = floor_session(app, users["packer"])
    assert packer.get("/labels").status_code == 403
    assert packer.get("/labels/preview.svg?kind=location&id=1").status_code == 403
    assert packer.post("/labels/print", data={"kind": "location", "printer": printer.id, "copies": 1,
                                              "csrf_token": token}).status_code == 403
    assert _jobs() == []
