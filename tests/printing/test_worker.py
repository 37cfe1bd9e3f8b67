"""The print worker's rules against a real TCP printer on loopback: a job to a printer that is off waits and
is tried again with backoff, then prints exactly once; paper out keeps it waiting; a job whose sender died
mid-send is never sent twice; after the last try it fails and a person can retry it; CUPS through `lp`."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.db import utcnow
from server.http import run_in_transaction
from server.printing import services, worker
from server.printing.models import Printer, PrintJobStatus
from tests.factories import make_user
from tests.printing.conftest import LABEL, free_port, make_printer

pytestmark = pytest.mark.rollback


def _submit(printer, payload=LABEL, **kw):
    return run_in_transaction(lambda: services.submit_print(printer=printer, payload=payload, kind="shipping",
                                                            actor=None, **kw))


def _job(db, job_id):
    db.session.rollback()
    return services.get_job(job_id)


def test_a_job_prints_once_on_a_printer_that_is_up(db, virtual_printer):
    printer = run_in_transaction(lambda: make_printer(port=virtual_printer.port))
    job = _submit(printer, copies=2)
    assert worker.run_due() == 1
    assert worker.run_due() == 0  # nothing left: never sent again
    job = _job(db, job.id)
    assert (job.status, job.attempts, job.last_error) == (PrintJobStatus.PRINTED, 1, None) and job.printed_at
    assert virtual_printer.wait_for_jobs(2, 0.3) == [LABEL * 2]
    printer = services.get_printer(printer.id)
    assert printer.online and printer.status["ready"] and printer.status["paper_out"] is False


def test_a_printer_that_is_off_makes_the_job_wait_with_backoff_then_it_prints_once(db, tmp_path):
    from tests.printing.conftest import start_virtual_printer

    port = free_port()
    printer = run_in_transaction(lambda: make_printer(port=port))
    job = _submit(printer)
    start = utcnow()
    waits = []
    for attempt in range(1, 5):  # 1 s, 2 s, 4 s, 8 s: each try when the last wait is over, not before
        now = start + timedelta(seconds=sum(waits))
        assert worker.run_due(now=now - timedelta(milliseconds=1) if waits else now) == (0 if waits else 1)
        if waits:
            assert worker.run_due(now=now) == 1
        seen = _job(db, job.id)
        assert (seen.status, seen.attempts) == (PrintJobStatus.WAITING, attempt)
        assert "No connection" in seen.last_error
        waits.append((seen.next_attempt_at - now).total_seconds())
    assert waits == [1, 2, 4, 8]
    assert services.get_printer(printer.id).online is False

    up = start_virtual_printer(tmp_path / "spool", port=port)  # switched on
    try:
        assert worker.run_due(now=start + timedelta(seconds=sum(waits))) == 1
        assert worker.run_due(now=start + timedelta(hours=1)) == 0
        assert _job(db, job.id).status == PrintJobStatus.PRINTED
        assert up.wait_for_jobs(2, 0.3) == [LABEL]
    finally:
        up.shutdown()
        up.server_close()


def test_backoff_stops_at_a_minute_and_the_last_try_fails_the_job_for_a_person_to_retry(app, db):
    assert [worker.backoff_seconds(n) for n in (1, 2, 3, 6, 7, 8, 30)] == [1, 2, 4, 32, 60, 60, 60]
    app.config["PRINT_MAX_ATTEMPTS"] = 2
    printer = run_in_transaction(lambda: make_printer(port=free_port()))
    job = _submit(printer)
    later = utcnow() + timedelta(minutes=5)
    worker.run_due()
    worker.run_due(now=later)
    failed = _job(db, job.id)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (PrintJobStatus.FAILED, 2, None)
    assert failed.last_error.startswith("Not printed after 2 tries")
    assert worker.run_due(now=later + timedelta(hours=1)) == 0

    run_in_transaction(lambda: services.retry(services.get_job(job.id)))
    again = _job(db, job.id)
    assert (again.status, again.attempts) == (PrintJobStatus.QUEUED, 0)


def test_paper_out_keeps_the_job_waiting_until_the_printer_is_ready(db, virtual_printer):
    printer = run_in_transaction(lambda: make_printer(port=virtual_printer.port))
    job = _submit(printer)
    virtual_printer.flags.update(paper_out=True, head_open=True)
    worker.run_due()
    waiting = _job(db, job.id)
    assert waiting.status == PrintJobStatus.WAITING and "paper out, head open" in waiting.last_error
    status = services.get_printer(printer.id).status
    assert (status["paper_out"], status["head_open"], status["paused"], status["ready"]) == (True, True, False, False)
    assert virtual_printer.wait_for_jobs(1, 0.3) == []  # not pushed into a printer that cannot print

    virtual_printer.flags.clear()
    worker.run_due(now=utcnow() + timedelta(seconds=1))
    assert _job(db, job.id).status == PrintJobStatus.PRINTED
    assert virtual_printer.wait_for_jobs(2, 0.3) == [LABEL]


def test_labels_of_one_printer_come_out_in_the_order_they_were_made(db, virtual_printer):
    printer = run_in_transaction(lambda: make_printer(port=virtual_printer.port))
    first, second = _submit(printer, payload=b"^XA^FD1^FS^XZ"), _submit(printer, payload=b"^XA^FD2^FS^XZ")
    virtual_printer.flags["paused"] = True
    worker.run_due()  # the first waits; the second must not overtake it
    assert (_job(db, first.id).status, _job(db, second.id).status) == (PrintJobStatus.WAITING, PrintJobStatus.QUEUED)
    virtual_printer.flags.clear()
    assert worker.run_due(now=utcnow() + timedelta(seconds=1)) == 2
    assert virtual_printer.wait_for_jobs(3, 0.3) == [b"^XA^FD1^FS^XZ", b"^XA^FD2^FS^XZ"]


def test_a_job_whose_worker_died_while_sending_is_not_sent_again(db, virtual_printer):
    """At most once: claimed ('sending'), then the worker vanished before recording the outcome. The printer
    may have printed it; another copy would be a second label for the same parcel."""
    printer = run_in_transaction(lambda: make_printer(port=virtual_printer.port))
    job = _submit(printer)
    claimed = worker.claim_next()
    assert claimed.job_id == job.id and _job(db, job.id).status == PrintJobStatus.SENDING
    assert worker.run_due() == 0 and worker.fail_orphans() == 0  # its lease still runs: maybe a live worker

    assert worker.fail_orphans(utcnow() + worker.SEND_LEASE + timedelta(seconds=1)) == 1
    orphan = _job(db, job.id)
    assert orphan.status == PrintJobStatus.FAILED and "may have printed" in orphan.last_error
    assert worker.run_due(now=utcnow() + timedelta(hours=1)) == 0
    assert virtual_printer.wait_for_jobs(1, 0.3) == []


def test_a_switched_off_printer_holds_its_jobs(db, virtual_printer):
    printer = run_in_transaction(lambda: make_printer(port=virtual_printer.port))
    job = _submit(printer)
    run_in_transaction(lambda: services.update_printer(services.get_printer(printer.id), active=False))
    assert worker.run_due() == 0 and _job(db, job.id).status == PrintJobStatus.QUEUED


def _fake_lp(tmp_path, exit_code=0):
    script = tmp_path / "lp"
    script.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/lp-args\ncat > {tmp_path}/lp-input\n"
                      f"[ {exit_code} -eq 0 ] || echo 'lp: The printer or class does not exist.' >&2\n"
                      f"exit {exit_code}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_cups_printer_gets_the_bytes_through_lp_as_a_raw_job(db, tmp_path, monkeypatch):
    """CUPS is not installed here: a fake `lp` (SHIPFLOOR_LP) records its arguments and input."""
    monkeypatch.setenv("SHIPFLOOR_LP", str(_fake_lp(tmp_path)))
    printer = run_in_transaction(lambda: services.create_printer("Office", transport="cups", cups_queue="zebra1"))
    job = _submit(printer)
    assert worker.run_due() == 1 and _job(db, job.id).status == PrintJobStatus.PRINTED
    assert (tmp_path / "lp-input").read_bytes() == LABEL
    assert (tmp_path / "lp-args").read_text().split()[:4] == ["-d", "zebra1", "-o", "raw"]

    monkeypatch.setenv("SHIPFLOOR_LP", str(_fake_lp(_mkdir(tmp_path / "bad"), exit_code=1)))
    refused = _submit(printer)
    worker.run_due()
    seen = _job(db, refused.id)
    assert seen.status == PrintJobStatus.WAITING and "does not exist" in seen.last_error


def _mkdir(path):
    os.makedirs(path, exist_ok=True)
    return path


def test_cancel_and_reprint_record_who_and_when(db):
    printer = run_in_transaction(lambda: make_printer(port=free_port()))
    user = run_in_transaction(lambda: make_user("packer"))
    job = _submit(printer)

    copy = run_in_transaction(lambda: services.reprint(services.get_job(job.id), actor=user))
    assert (copy.reprint_of, copy.created_by, copy.payload, copy.status) == (job.id, user.id, LABEL,
                                                                            PrintJobStatus.QUEUED)
    cancelled = run_in_transaction(lambda: services.cancel(services.get_job(job.id), actor=user))
    assert (cancelled.status, cancelled.cancelled_by) == (PrintJobStatus.CANCELLED, user.id)
    assert cancelled.cancelled_at is not None
    with pytest.raises(services.PrintJobConflict):
        run_in_transaction(lambda: services.cancel(services.get_job(job.id), actor=user))


def _status_age(db, printer_id: int, seconds: int) -> None:
    run_in_transaction(lambda: db.session.execute(sa.update(Printer).where(Printer.id == printer_id).values(
        status_at=utcnow() - timedelta(seconds=seconds))))


def test_a_worker_pass_refreshes_stale_printer_status_once_and_marks_a_silent_printer_offline(db, virtual_printer):
    """Idle printers' ~HS is read on a timer (SHIPFLOOR_PRINTER_STATUS_SECONDS, 30 s): a stale one is asked,
    a fresh one is not, one that does not answer goes offline; a printer that just printed is not asked again."""
    stale, fresh, busy = (run_in_transaction(lambda n=n: make_printer(n, port=virtual_printer.port))
                          for n in ("Stale", "Fresh", "Busy"))
    off = run_in_transaction(lambda: make_printer("Off", port=free_port()))
    for printer, age in ((stale, 31), (fresh, 5), (busy, 31), (off, 31)):
        _status_age(db, printer.id, age)
    job = _submit(busy)
    virtual_printer.flags["paper_out"] = True
    before = utcnow()

    worker.run_pass()
    assert _job(db, job.id).status == PrintJobStatus.WAITING  # the job went first: its ~HS is the busy one's
    seen = {p.name: p for p in services.list_printers()}
    assert seen["Stale"].status_at >= before and seen["Stale"].online and seen["Stale"].status["paper_out"]
    assert seen["Fresh"].status_at < before
    assert seen["Off"].online is False and seen["Off"].status["ready"] is False and seen["Off"].status_at >= before
    assert virtual_printer.status_asks == 2  # Stale once, Busy once (by its job), Fresh never

    worker.run_pass()  # all fresh now: nobody is asked again
    assert virtual_printer.status_asks == 2
