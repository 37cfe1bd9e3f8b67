"""The printing API: printers with status and queue, stations, a handheld printing a label by code on its
station's printer (nothing installed on the phone), jobs reprinted and cancelled with who and when."""

from __future__ import annotations

import pytest

from server.http import run_in_transaction
from server.printing import worker
from tests.factories import make_item, make_location
from tests.helpers import assert_problem
from tests.printing.conftest import free_port

pytestmark = pytest.mark.rollback


@pytest.fixture
def station(app):
    return run_in_transaction(lambda: make_location("PACK-9", kind="pack_station").code)


def _add_printer(api, port, name="Zebra A", **kw):
    r = api("supervisor").post("/api/printers", {"name": name, "host": "127.0.0.1", "port": port, **kw})
    assert r.status_code == 201, r.json
    return r.json


def test_printers_are_set_up_by_staff_and_listed_with_status_queue_and_stations(api, station, virtual_printer):
    assert_problem(api("packer").post("/api/printers", {"name": "X", "host": "h"}), 403)
    assert_problem(api("supervisor").post("/api/printers", {"name": "X"}), 422, field="host")
    assert_problem(api("supervisor").post("/api/printers", {"name": "X", "transport": "cups"}), 422,
                   field="cups_queue")
    assert_problem(api("supervisor").post("/api/printers", {"name": "X", "host": "h", "dpi": 600}), 422)
    printer = _add_printer(api, virtual_printer.port, dpi=300)
    assert_problem(api("supervisor").post("/api/printers", {"name": "zebra a", "host": "h"}), 409,
                   "printer_name_taken")
    r = api("supervisor").post(f"/api/printers/{printer['id']}/stations", {"station": station})
    assert r.status_code == 200 and r.json["stations"] == [station]
    assert_problem(api("supervisor").post(f"/api/printers/{printer['id']}/stations", {"station": "NOPE"}), 404)

    virtual_printer.flags["head_open"] = True
    checked = api("packer").post(f"/api/printers/{printer['id']}/status", {}).json
    assert checked["online"] is True and checked["status"]["head_open"] is True
    assert checked["status"]["problems"] == ["head_open"] and checked["status_at"]

    listed = api("picker").get("/api/printers").json["printers"]
    assert [(p["name"], p["dpi"], p["queue"], p["stations"]) for p in listed] == [("Zebra A", 300, 0, [station])]


def test_a_handheld_prints_a_label_by_code_on_its_station_s_printer(api, station, virtual_printer, db):
    printer = _add_printer(api, virtual_printer.port)
    run_in_transaction(lambda: (make_location("A-01-02", kind="bin", zone="A"), make_item("SKU-77", "Mug")))
    body = {"kind": "bin", "code": "A-01-02", "station": station}
    assert_problem(api("packer").post("/api/print/labels", body), 409, "no_station_printer", field="station")
    api("supervisor").post(f"/api/printers/{printer['id']}/stations", {"station": station})

    job = api("packer").post("/api/print/labels", body)
    assert job.status_code == 201 and (job.json["status"], job.json["kind"], job.json["ref_type"]) == (
        "queued", "bin", "location")
    assert api("supervisor").get("/api/printers").json["printers"][0]["queue"] == 1
    items = api("packer").post("/api/print/labels", {"kind": "item", "codes": ["SKU-77", "sku-77"],
                                                     "printer": "Zebra A", "copies": 2}).json
    assert items["copies"] == 2 and items["ref_type"] == "item"
    assert_problem(api("packer").post("/api/print/labels", {"kind": "tote", "code": "A-01-02",
                                                            "station": station}), 422, field="code")
    assert_problem(api("packer").post("/api/print/labels", {"kind": "lpn", "code": "006141410000000001",
                                                            "station": station}), 422, field="code")
    assert_problem(api("packer").post("/api/print/labels", {"kind": "bin", "code": "A-01-02"}), 422)

    assert worker.run_due() == 2
    jobs = virtual_printer.wait_for_jobs(2)
    assert jobs[0].count(b"^XA") == 1 and b"A-01-02" in jobs[0]
    assert jobs[1].count(b"^XA") == 4 and b"SKU-77" in jobs[1]  # two labels, two copies
    assert api("packer").get(f"/api/print-jobs/{job.json['id']}").json["status"] == "printed"


def test_reprint_and_cancel_say_who_and_when(api, users):
    printer = _add_printer(api, free_port())
    run_in_transaction(lambda: make_location("T-1", kind="tote"))
    job = api("packer").post("/api/print/labels", {"kind": "tote", "code": "T-1", "printer": "Zebra A"}).json

    again = api("packer").post(f"/api/print-jobs/{job['id']}/reprint", {})
    assert again.status_code == 201
    assert (again.json["reprint_of"], again.json["created_by"]) == (job["id"], users["packer"].id)
    cancelled = api("supervisor").post(f"/api/print-jobs/{job['id']}/cancel", {}).json
    assert (cancelled["status"], cancelled["cancelled_by"]) == ("cancelled", users["supervisor"].id)
    assert cancelled["cancelled_at"]
    assert_problem(api("supervisor").post(f"/api/print-jobs/{job['id']}/cancel", {}), 409, "print_job_state")
    assert_problem(api("supervisor").post(f"/api/print-jobs/{job['id']}/retry", {}), 409, "print_job_state")
    assert_problem(api("supervisor").post("/api/print-jobs/999999/reprint", {}), 404)

    listed = api("supervisor").get(f"/api/print-jobs?printer={printer['id']}").json["jobs"]
    assert [(j["id"], j["status"]) for j in listed] == [(again.json["id"], "queued"), (job["id"], "cancelled")]
    assert_problem(api("packer").get("/api/print-jobs"), 403)
