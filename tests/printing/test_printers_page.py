"""The Printers page: a printer added through its form, its ~HS flags and queue, reprint / cancel of jobs
recorded with who did it, and the labels the virtual printer received drawn as SVG."""

from __future__ import annotations

import re

import pytest

from server.http import run_in_transaction
from server.printing import services, worker
from server.printing.models import PrintJobStatus
from tests.supervisor.web import flashes, login, post_form, submit, table

pytestmark = pytest.mark.rollback

LABEL = b"^XA^CI28^FO50,50^A0N,40,40^FDBin A-01^FS^FO50,120^BCN,80,Y,N,N^FDA-01^FS^XZ"


@pytest.fixture
def web(app, users):
    client = app.test_client()
    assert login(client, users["supervisor"].username).status_code == 302
    return client


def test_printers_jobs_and_received_labels(web, users, db, virtual_printer, monkeypatch):
    monkeypatch.setattr("server.supervisor.printers.spool_folder", lambda: virtual_printer.spool)
    r = submit(web, "/printers", {"name": "Dock Zebra", "transport": "tcp", "host": "127.0.0.1",
                                   "port": virtual_printer.port, "dpi": "300"}, action="/printers")
    assert r.status_code == 302
    printer = services.printer_by_name("Dock Zebra")
    assert (printer.dpi, printer.port) == (300, virtual_printer.port)

    printed = run_in_transaction(lambda: services.submit_print(printer=printer, payload=LABEL, kind="bin"))
    worker.run_due()
    virtual_printer.wait_for_jobs(1)
    virtual_printer.flags["paper_out"] = True
    waiting = run_in_transaction(lambda: services.submit_print(printer=printer, payload=LABEL, kind="bin"))
    worker.run_due()

    html = web.get("/printers").text
    row = table(html, "printers")[0]
    assert row[0] == "Dock Zebra" and "paper out" in row[4] and row[5] == "1"
    jobs = {r[0].split()[0]: r for r in table(html, "print-jobs")}
    assert jobs[str(waiting.id)][3] == str(PrintJobStatus.WAITING.label) and "paper out" in jobs[str(waiting.id)][5]

    post_form(web, "/printers", f"/printers/jobs/{printed.id}/reprint")
    post_form(web, "/printers", f"/printers/jobs/{waiting.id}/cancel")
    db.session.rollback()
    again = services.list_jobs(limit=1)[0]
    assert (again.reprint_of, again.created_by) == (printed.id, users["supervisor"].id)
    cancelled = services.get_job(waiting.id)
    assert (cancelled.status, cancelled.cancelled_by) == (PrintJobStatus.CANCELLED, users["supervisor"].id)
    refused = post_form(web, "/printers", f"/printers/jobs/{waiting.id}/cancel", follow_redirects=True)
    assert any("can no longer be cancelled" in m for m in flashes(refused.text))

    html = web.get("/printers").text
    images = re.findall(r'<img src="(/printers/received/[^"]+\.svg)"', html)
    assert len(images) == 1
    drawn = web.get(images[0])
    assert drawn.mimetype == "image/svg+xml" and drawn.text.lstrip().startswith("<svg") and "A-01" in drawn.text
    assert web.get("/printers/received/..%2Fsecret.zpl/1.svg").status_code == 404
