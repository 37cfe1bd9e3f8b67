"""The deployment's print worker is a thread of `flask jobs worker`: a real process, a real TCP printer on
loopback. The printer is off: the label waits and is tried again; the worker crashes (SIGKILL) and is started
again; the printer comes on: each label prints exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.http import run_in_transaction
from server.printing import services
from server.printing.models import PrintJob, PrintJobStatus
from tests.printing.conftest import free_port, make_printer, start_virtual_printer

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _start_worker(database_url, tmp_path, log):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
           "SHIPFLOOR_INSTANCE": str(tmp_path), "SHIPFLOOR_JOBS_QUEUE_FILE": str(tmp_path / "jobs-queue.db")}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--nice", "0"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_for(db, condition, worker, log_path, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        rows = db.session.execute(sa.select(PrintJob.status, PrintJob.attempts).order_by(PrintJob.id)).all()
        if condition(rows):
            return rows
        assert worker.poll() is None, log_path.read_text()
        time.sleep(0.1)
    raise AssertionError(f"timed out: {rows}\n{log_path.read_text()}")


def test_labels_wait_for_a_printer_that_is_off_and_print_once_across_a_worker_crash(app, db, database_url,
                                                                                      tmp_path):
    port = free_port()
    printer = run_in_transaction(lambda: make_printer(port=port))
    labels = [b"^XA^FO20,20^FDlabel 1 of 2^FS^XZ", b"^XA^FO20,20^FDlabel 2 of 2^FS^XZ"]
    run_in_transaction(lambda: [services.submit_print(printer=services.get_printer(printer.id), payload=label,
                                                      kind="shipping") for label in labels])
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")

    first = _start_worker(database_url, tmp_path, log)
    try:  # the first label is tried and waits; the second waits behind it, never tried ahead of it
        rows = _wait_for(db, lambda rows: rows[0][1] >= 1, first, log_path)
        assert rows[0][0] == PrintJobStatus.WAITING and rows[1] == (PrintJobStatus.QUEUED, 0)
    finally:
        first.kill()  # a crash: no chance to finish anything
        first.wait(10)

    printer_on = start_virtual_printer(tmp_path / "spool", port=port)
    second = _start_worker(database_url, tmp_path, log)
    try:
        _wait_for(db, lambda rows: all(s == PrintJobStatus.PRINTED for s, _n in rows), second, log_path)
        assert printer_on.wait_for_jobs(3, timeout=1.0) == labels  # once each, in order: nothing sent twice
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(20) is not None
        printer_on.shutdown()
        printer_on.server_close()
    assert "print worker started" in log_path.read_text()
