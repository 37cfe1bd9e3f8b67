"""The print worker: one per deployment, a thread of the job consumer (`flask jobs worker`), or alone
(`flask printing worker`). Print jobs are rows, so it survives restarts: it picks up where the rows say.

A job goes through three short transactions, and no transaction is open while the network is used:

  1. claim:  the oldest due job of a printer (queued, or waiting and its retry time come; no older job of
             that printer still pending: labels come out in the order they were made) → 'sending', with
             a lease (next_attempt_at = now + SEND_LEASE). The row is locked (FOR UPDATE SKIP LOCKED on
             PostgreSQL, the write lock on SQLite) and the update is conditional, so two workers never
             claim one job.
  2. send:   ~HS first (a TCP printer reporting paper out, head open or paused keeps the job waiting rather
             than filling its buffer), then the bytes (copies times), then close.
  3. mark:   'printed'; or 'waiting' with the next try after 1 s, 2 s, 4 s … 60 s when the printer could not
             be reached (nothing was sent, so trying again cannot print twice); or 'failed' after
             PRINT_MAX_ATTEMPTS tries (a person retries it from the Printers page).

At most once. If the worker dies between 2 and 3, the job stays 'sending' past its lease: the printer may or
may not have printed it, and the raw port gives no receipt to tell. Sending it again could print a second
shipping label for the same parcel (two parcels, one tracking number), which is worse than one missing
label that the packer notices at once: so such a job becomes 'failed' with a message saying it may have
printed, and a person reprints it (audited) if it did not. A connection that breaks mid-send is the same
case. A worker that is merely restarted (SIGTERM) first finishes the job in hand, so this only happens on
a crash or a power cut.

Between jobs the loop also reads each idle TCP printer's ~HS when its status is older than
SHIPFLOOR_PRINTER_STATUS_SECONDS (30), so the pages show paper out or a printer switched off before a label
is due there. Jobs come first: the check stops as soon as a job is due, asks a printer once per pass at most,
and gives up on a silent one after STATUS_TIMEOUT (it is marked offline).
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from ..db import utcnow
from ..extensions import db
from ..http import run_in_transaction
from ..jobs.companions import companion_thread, repeat
from .models import Printer, PrintJob, PrintJobStatus, Transport
from .services import PENDING, ask_status, record_status
from .status import StatusUnreadable, query_host_status
from .transports import DeliveryUncertain, PrinterUnreachable, send_cups, send_tcp

log = logging.getLogger(__name__)

BACKOFF_MAX_SECONDS = 60
SEND_LEASE = timedelta(seconds=30)  # longer than a status check, a connect and a send together
POLL_SECONDS = 0.5  # a label submitted now prints within a second
DEFAULT_MAX_ATTEMPTS = 20  # about 13 minutes of tries
DEFAULT_STATUS_SECONDS = 30
STATUS_TIMEOUT = 1.0  # seconds: a status check must not hold up a label due meanwhile


def max_attempts() -> int:
    configured = current_app.config.get("PRINT_MAX_ATTEMPTS") or os.environ.get("SHIPFLOOR_PRINT_MAX_ATTEMPTS")
    return int(configured or DEFAULT_MAX_ATTEMPTS)


def status_interval() -> timedelta:
    configured = (current_app.config.get("PRINTER_STATUS_SECONDS")
                  or os.environ.get("SHIPFLOOR_PRINTER_STATUS_SECONDS"))
    return timedelta(seconds=float(configured or DEFAULT_STATUS_SECONDS))


def backoff_seconds(attempts: int) -> int:
    """The wait after the attempts-th failed try: 1, 2, 4 … 60 s."""
    return min(BACKOFF_MAX_SECONDS, 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Claimed:
    job_id: int
    printer_id: int
    transport: Transport
    host: str | None
    port: int
    cups_queue: str | None
    payload: bytes
    copies: int
    attempts: int  # before this try
    kind: str


class NotReady(Exception):
    """The printer answered ~HS with a flag that stops printing: the job waits."""

    def __init__(self, message: str, status: dict):
        super().__init__(message)
        self.status = status


def _due_jobs(now: datetime):
    older = aliased(PrintJob)
    earlier_pending = (sa.select(older.id).where(older.printer_id == PrintJob.printer_id, older.id < PrintJob.id,
                                                 older.status.in_(PENDING)).exists())
    return (sa.select(PrintJob.id).join(Printer, Printer.id == PrintJob.printer_id)
            .where(PrintJob.status.in_((PrintJobStatus.QUEUED, PrintJobStatus.WAITING)),
                   sa.or_(PrintJob.next_attempt_at.is_(None), PrintJob.next_attempt_at <= now),
                   Printer.active, ~earlier_pending)
            .order_by(PrintJob.next_attempt_at, PrintJob.id))


def has_due_job(now: datetime | None = None) -> bool:
    """A plain read (no write lock taken on SQLite while the worker idles)."""
    found = db.session.scalar(_due_jobs(now or utcnow()).limit(1)) is not None
    db.session.rollback()
    return found


def claim_next(now: datetime | None = None) -> Claimed | None:
    def claim() -> Claimed | None:
        at = now or utcnow()
        job_id = db.session.scalar(_due_jobs(at).limit(1).with_for_update(skip_locked=True, of=PrintJob))
        if job_id is None:
            return None
        claimed = db.session.execute(
            sa.update(PrintJob).where(PrintJob.id == job_id,
                                      PrintJob.status.in_((PrintJobStatus.QUEUED, PrintJobStatus.WAITING)))
            .values(status=PrintJobStatus.SENDING, next_attempt_at=at + SEND_LEASE)).rowcount
        if not claimed:
            return None
        row = db.session.execute(
            sa.select(PrintJob.printer_id, Printer.transport, Printer.host, Printer.port, Printer.cups_queue,
                      PrintJob.payload, PrintJob.copies, PrintJob.attempts, PrintJob.kind)
            .join(Printer, Printer.id == PrintJob.printer_id).where(PrintJob.id == job_id)).one()
        return Claimed(job_id, *row)

    return run_in_transaction(claim)


def deliver(job: Claimed) -> dict | None:
    """Send the job; the printer's ~HS status when it was read. Raises NotReady, PrinterUnreachable (nothing
    sent) or DeliveryUncertain (part may have been sent)."""
    payload = job.payload * job.copies
    if job.transport == Transport.CUPS:
        send_cups(job.cups_queue, payload, title=f"shipfloor-{job.kind}-{job.job_id}")
        return None
    try:
        status = query_host_status(job.host, job.port).as_dict()
    except StatusUnreadable:
        status = None  # a device that answers ~HS with something else: it still takes ZPL
    except OSError as e:
        raise PrinterUnreachable(f"{job.host}:{job.port}: {e.strerror or e or type(e).__name__}") from e
    if status is not None and status["problems"]:
        raise NotReady(", ".join(status["problems"]), status)
    send_tcp(job.host, job.port, payload)
    return status


def _mark(job: Claimed, **values) -> None:
    db.session.execute(sa.update(PrintJob).where(PrintJob.id == job.job_id, PrintJob.status == PrintJobStatus.SENDING)
                       .values(**values))


def _printed(job: Claimed, status: dict | None) -> None:
    _mark(job, status=PrintJobStatus.PRINTED, printed_at=utcnow(), attempts=job.attempts + 1, last_error=None,
          next_attempt_at=None)
    record_status(job.printer_id, status or {"ready": True}, online=True)


def _not_sent(job: Claimed, error: str, status: dict, *, online: bool, now: datetime) -> None:
    attempts = job.attempts + 1
    if attempts >= max_attempts():
        _mark(job, status=PrintJobStatus.FAILED, attempts=attempts, next_attempt_at=None, last_error=_(
            "Not printed after %(n)d tries: %(error)s", n=attempts, error=error)[:300])
    else:
        _mark(job, status=PrintJobStatus.WAITING, attempts=attempts, last_error=error[:300],
              next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts)))
    record_status(job.printer_id, status, online=online)


def _uncertain(job: Claimed, error: str) -> None:
    _mark(job, status=PrintJobStatus.FAILED, attempts=job.attempts + 1, next_attempt_at=None, last_error=_(
        "The connection broke while sending (%(error)s): the label may have printed. Check the printer, "
        "reprint if it did not.", error=error)[:300])


def process(job: Claimed, *, now: datetime | None = None) -> PrintJobStatus:
    """Send one claimed job and record the outcome in a transaction of its own."""
    now = now or utcnow()
    try:
        status = deliver(job)
    except NotReady as e:
        words = flag_words()
        problems = ", ".join(words.get(flag, flag) for flag in e.status["problems"])
        run_in_transaction(_not_sent, job, _("The printer reports: %(problems)s", problems=problems), e.status,
                           online=True, now=now)
        return PrintJobStatus.WAITING
    except PrinterUnreachable as e:
        run_in_transaction(_not_sent, job, _("No connection: %(error)s", error=str(e)),
                           {"error": str(e)[:200], "ready": False}, online=False, now=now)
        return PrintJobStatus.WAITING
    except DeliveryUncertain as e:
        run_in_transaction(_uncertain, job, str(e))
        return PrintJobStatus.FAILED
    run_in_transaction(_printed, job, status)
    return PrintJobStatus.PRINTED


def flag_words() -> dict[str, str]:
    """The ~HS flags as people say them (the pages use these too)."""
    return {"paper_out": _("paper out"), "head_open": _("head open"), "paused": _("paused"),
            "ribbon_out": _("ribbon out"), "over_temperature": _("over temperature"),
            "buffer_full": _("buffer full"), "corrupt_ram": _("configuration lost")}


def fail_orphans(now: datetime | None = None) -> int:
    """Jobs left 'sending' past their lease by a worker that died: failed, as 'may have printed' (see above)."""
    at = now or utcnow()
    stale = (PrintJob.status == PrintJobStatus.SENDING, PrintJob.next_attempt_at < at)
    if db.session.scalar(sa.select(PrintJob.id).where(*stale).limit(1)) is None:
        db.session.rollback()
        return 0
    return run_in_transaction(lambda: db.session.execute(sa.update(PrintJob).where(*stale).values(
        status=PrintJobStatus.FAILED, next_attempt_at=None, attempts=PrintJob.attempts + 1, last_error=_(
            "The print worker stopped while sending this label: it may have printed. Check the printer, "
            "reprint if it did not.")))).rowcount


def run_due(*, stop: threading.Event | None = None, now: datetime | None = None) -> int:
    """Send every job due now, one after another; how many were tried. Tests and the loop call it."""
    tried = 0
    while stop is None or not stop.is_set():
        if not has_due_job(now):
            break
        job = claim_next(now)
        if job is None:
            break
        outcome = process(job, now=now)
        tried += 1
        log.info("print job %d (%s) → %s", job.job_id, job.kind, outcome.value)
    return tried


def _stale_printers(now: datetime) -> list[tuple[int, str, int]]:
    """Active TCP printers whose status is older than the interval (or never read): (id, host, port)."""
    cutoff = now - status_interval()
    # A printer receiving a label (another worker's) is not interrupted: that send reads its status anyway.
    sending = sa.select(PrintJob.id).where(PrintJob.printer_id == Printer.id,
                                           PrintJob.status == PrintJobStatus.SENDING).exists()
    rows = db.session.execute(
        sa.select(Printer.id, Printer.host, Printer.port)
        .where(Printer.active, Printer.transport == Transport.TCP, ~sending,
               sa.or_(Printer.status_at.is_(None), Printer.status_at < cutoff))
        .order_by(Printer.status_at.is_not(None), Printer.status_at, Printer.id)).all()
    db.session.rollback()
    return [tuple(row) for row in rows]


def refresh_statuses(*, stop: threading.Event | None = None, now: datetime | None = None) -> int:
    """Read ~HS of each printer whose status is stale, oldest first, until a job is due; how many were asked.
    No transaction is open while a printer is asked."""
    asked = 0
    for printer_id, host, port in _stale_printers(now or utcnow()):
        if (stop is not None and stop.is_set()) or has_due_job(now):
            break
        status, online = ask_status(host, port, timeout=STATUS_TIMEOUT)
        run_in_transaction(record_status, printer_id, status, online=online)
        asked += 1
    return asked


def run_pass(*, stop: threading.Event | None = None, now: datetime | None = None) -> None:
    """One turn of the loop: orphans, every due job, then stale printer statuses."""
    fail_orphans(now)
    run_due(stop=stop, now=now)
    refresh_statuses(stop=stop, now=now)


def run_forever(stop: threading.Event, *, poll: float = POLL_SECONDS) -> None:
    """Poll for due jobs until stop is set; an error is logged and the loop goes on."""
    repeat(stop, lambda: run_pass(stop=stop), every=poll, log=log, failure="print worker pass failed")


@contextmanager
def in_background(app: Flask):
    """Run the print worker in a thread while the block runs (the job consumer's process); on the way out
    let it finish the job in hand."""
    with companion_thread(app, "print-worker", run_forever, join_seconds=SEND_LEASE.total_seconds()) as thread:
        log.info("print worker started")
        yield thread


def run_until_signalled(app: Flask) -> None:
    """`flask printing worker`: the loop alone, stopped by SIGINT/SIGTERM after the job in hand."""
    import signal

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: stop.set())
    with app.app_context():
        run_forever(stop)
