"""Printers, which station prints where, and print jobs: stored here, sent by the print worker (worker.py).

A job is a row holding the exact bytes to print. submit_print() only records it in the caller's
transaction, so a label is never sent for a shipment that was rolled back; the one print worker of the
deployment picks it up within a second of the commit. Reprint and cancel record who and when.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from ..db import utcnow
from ..errors import DomainError, InvalidInput, NotFound, get_or_404
from ..extensions import db
from ..inventory.locations import find_location
from ..inventory.models import Location
from .models import Printer, PrintJob, PrintJobStatus, StationPrinter, Transport
from .status import query_host_status, StatusUnreadable

DPIS = (203, 300)
# Jobs the printer still owes: what the pages call its queue.
PENDING = (PrintJobStatus.QUEUED, PrintJobStatus.WAITING, PrintJobStatus.SENDING)
CANCELLABLE = (PrintJobStatus.QUEUED, PrintJobStatus.WAITING, PrintJobStatus.FAILED)


class PrintJobConflict(DomainError):
    code, title = "print_job_state", "Not possible in the print job's state"


class PrinterNameTaken(DomainError):
    code, title = "printer_name_taken", "Printer name taken"


class NoStationPrinter(DomainError):
    code, title = "no_station_printer", "No printer for this station"


def _user_id(actor) -> int | None:
    """The acting user's id from a ledger Actor, a User, or an id."""
    if actor is None or isinstance(actor, int):
        return actor
    return getattr(actor, "user_id", None) or getattr(actor, "id", None)


# --- printers -----------------------------------------------------------------------------------------------

def get_printer(printer_id: int) -> Printer:
    return get_or_404(Printer, printer_id, _("There is no printer %(id)d.", id=printer_id), "printer")


def printer_by_name(name: str) -> Printer | None:
    return db.session.scalar(sa.select(Printer).where(sa.func.lower(Printer.name) == name.strip().lower()))


def find_printer(ref: int | str) -> Printer:
    """A printer by id or by name (what a handheld or a form sends)."""
    printer = db.session.get(Printer, ref) if isinstance(ref, int) else printer_by_name(ref)
    if printer is None:
        raise NotFound(_("There is no printer %(name)s.", name=ref), field="printer")
    return printer


def list_printers(*, include_inactive: bool = False) -> list[Printer]:
    stmt = sa.select(Printer).order_by(Printer.name)
    if not include_inactive:
        stmt = stmt.where(Printer.active)
    return list(db.session.scalars(stmt))


def _check_printer(values: dict) -> None:
    transport = Transport(values["transport"])
    if transport == Transport.TCP and not (values.get("host") or "").strip():
        raise InvalidInput(_("A raw TCP printer needs its host name or address."), field="host")
    if transport == Transport.CUPS and not (values.get("cups_queue") or "").strip():
        raise InvalidInput(_("A CUPS printer needs its queue name."), field="cups_queue")
    if values.get("dpi") not in DPIS:
        raise InvalidInput(_("The resolution is 203 or 300 dpi."), field="dpi")
    if not 0 < int(values.get("port") or 0) < 65536:
        raise InvalidInput(_("The port is a number from 1 to 65535."), field="port")


def _check_name_free(name: str, printer_id: int | None) -> None:
    other = printer_by_name(name)
    if other is not None and other.id != printer_id:
        raise PrinterNameTaken(_("There is a printer named %(name)s already.", name=other.name), field="name")


def create_printer(name: str, *, transport: str = "tcp", host: str | None = None, port: int = 9100,
                   cups_queue: str | None = None, dpi: int = 203) -> Printer:
    name = name.strip()
    if not name:
        raise InvalidInput(_("A printer needs a name."), field="name")
    values = {"transport": transport, "host": (host or "").strip() or None, "port": port,
              "cups_queue": (cups_queue or "").strip() or None, "dpi": dpi}
    _check_printer(values)
    _check_name_free(name, None)
    printer = Printer(name=name, active=True, **{**values, "transport": Transport(transport)})
    db.session.add(printer)
    db.session.flush()
    return printer


def update_printer(printer: Printer, **changes) -> Printer:
    """Change any of name, transport, host, port, cups_queue, dpi, active (None: left as it is)."""
    fields = ("name", "transport", "host", "port", "cups_queue", "dpi", "active")
    values = {field: getattr(printer, field) for field in fields}
    values.update({k: v for k, v in changes.items() if k in fields and v is not None})
    values["name"] = values["name"].strip()
    if not values["name"]:
        raise InvalidInput(_("A printer needs a name."), field="name")
    _check_printer(values)
    _check_name_free(values["name"], printer.id)
    for field, value in values.items():
        setattr(printer, field, Transport(value) if field == "transport" else value)
    db.session.flush()
    return printer


# --- stations -----------------------------------------------------------------------------------------------

def _station(station: Location | str) -> Location:
    if isinstance(station, Location):
        return station
    found = find_location(station)
    if found is None:
        raise NotFound(_("There is no location %(code)s.", code=station), field="station")
    return found


def assign_station(station: Location | str, printer: Printer) -> StationPrinter:
    """From now on the station prints on this printer (a station has one printer)."""
    location = _station(station)
    link = db.session.get(StationPrinter, location.id)
    if link is None:
        link = StationPrinter(station_id=location.id, printer_id=printer.id)
        db.session.add(link)
    link.printer_id = printer.id
    db.session.flush()
    return link


def unassign_station(station: Location | str) -> None:
    location = _station(station)
    db.session.execute(sa.delete(StationPrinter).where(StationPrinter.station_id == location.id))


def printer_for_station(station: Location | str) -> Printer | None:
    """The active printer assigned to this station (a location or its code), or None."""
    if isinstance(station, str):
        location = find_location(station)
        if location is None:
            return None
        station_id = location.id
    else:
        station_id = station.id
    return db.session.scalar(sa.select(Printer).join(StationPrinter, StationPrinter.printer_id == Printer.id)
                             .where(StationPrinter.station_id == station_id, Printer.active))


def station_printer_or_refuse(station: Location | str) -> Printer:
    printer = printer_for_station(station)
    if printer is None:
        code = station.code if isinstance(station, Location) else station
        raise NoStationPrinter(_("No printer is assigned to %(station)s: ask a supervisor to assign one on "
                                 "the Printers page.", station=code), field="station")
    return printer


def stations_by_printer(printer_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """printer id → the codes of the stations printing on it."""
    stmt = (sa.select(StationPrinter.printer_id, Location.code)
            .join(Location, Location.id == StationPrinter.station_id).order_by(Location.code))
    if printer_ids is not None:
        stmt = stmt.where(StationPrinter.printer_id.in_(list(printer_ids)))
    out: dict[int, list[str]] = {}
    for printer_id, code in db.session.execute(stmt):
        out.setdefault(printer_id, []).append(code)
    return out


# --- jobs ---------------------------------------------------------------------------------------------------

def submit_print(*, printer: Printer, payload: bytes, kind: str, ref_type: str | None = None,
                 ref_id: int | None = None, copies: int = 1, actor=None) -> PrintJob:
    """Record a print job (flushed in the caller's transaction); the print worker sends it after the commit."""
    if not payload:
        raise InvalidInput(_("There is nothing to print."), field="payload")
    if not 1 <= copies <= 100:
        raise InvalidInput(_("Copies: 1 to 100."), field="copies")
    if not printer.active:
        raise PrintJobConflict(_("The printer %(name)s is switched off in Shipfloor.", name=printer.name),
                               field="printer")
    job = PrintJob(printer_id=printer.id, kind=kind, ref_type=ref_type, ref_id=ref_id, payload=bytes(payload),
                   copies=copies, status=PrintJobStatus.QUEUED, attempts=0, next_attempt_at=utcnow(),
                   created_by=_user_id(actor))
    db.session.add(job)
    db.session.flush()
    return job


def get_job(job_id: int) -> PrintJob:
    return get_or_404(PrintJob, job_id, _("There is no print job %(id)d.", id=job_id), "job")


def reprint(job: PrintJob, *, actor, printer: Printer | None = None) -> PrintJob:
    """The same bytes again (after a jam, a smudge), as a new job linked to the one it repeats."""
    again = submit_print(printer=printer or job.printer, payload=job.payload, kind=job.kind,
                         ref_type=job.ref_type, ref_id=job.ref_id, copies=job.copies, actor=actor)
    again.reprint_of = job.id
    db.session.flush()
    return again


def _locked(job: PrintJob) -> PrintJob:
    """The job's row read again under a row lock: the print worker may be claiming it right now."""
    return db.session.scalar(sa.select(PrintJob).where(PrintJob.id == job.id).with_for_update()
                             .execution_options(populate_existing=True))


def cancel(job: PrintJob, *, actor) -> PrintJob:
    job = _locked(job)
    if job.status not in CANCELLABLE:
        raise PrintJobConflict(_("Print job %(id)d is %(status)s: it can no longer be cancelled.", id=job.id,
                                 status=job.status.label), field="job")
    job.status, job.cancelled_by, job.cancelled_at, job.next_attempt_at = (
        PrintJobStatus.CANCELLED, _user_id(actor), utcnow(), None)
    db.session.flush()
    return job


def retry(job: PrintJob, *, actor=None) -> PrintJob:
    """A failed job (the printer was off too long) is sent again from its first try."""
    job = _locked(job)
    if job.status != PrintJobStatus.FAILED:
        raise PrintJobConflict(_("Only a failed print job can be retried; %(id)d is %(status)s.", id=job.id,
                                 status=job.status.label), field="job")
    job.status, job.attempts, job.next_attempt_at = PrintJobStatus.QUEUED, 0, utcnow()
    db.session.flush()
    return job


def list_jobs(*, printer_id: int | None = None, status: str | None = None, limit: int = 100) -> list[PrintJob]:
    stmt = sa.select(PrintJob).order_by(PrintJob.id.desc()).limit(limit)
    if printer_id is not None:
        stmt = stmt.where(PrintJob.printer_id == printer_id)
    if status:
        stmt = stmt.where(PrintJob.status == PrintJobStatus(status))
    return list(db.session.scalars(stmt))


def queue_lengths() -> dict[int, int]:
    """printer id → jobs not printed yet (queued, waiting, being sent)."""
    rows = db.session.execute(sa.select(PrintJob.printer_id, sa.func.count()).where(PrintJob.status.in_(PENDING))
                              .group_by(PrintJob.printer_id))
    return {printer_id: n for printer_id, n in rows}


# --- status -------------------------------------------------------------------------------------------------

def record_status(printer_id: int, status: dict, *, online: bool) -> None:
    db.session.execute(sa.update(Printer).where(Printer.id == printer_id)
                       .values(status=status, online=online, status_at=utcnow()))


def check_status(printer: Printer) -> dict:
    """Ask a TCP printer for ~HS now (3 s at most); the parsed flags, or {"error": why} when it did not answer.
    A CUPS queue has no ~HS: its status is what its last job said."""
    if printer.transport != Transport.TCP:
        return dict(printer.status or {})
    status, online = ask_status(printer.host, printer.port)
    record_status(printer.id, status, online=online)
    return status


def ask_status(host: str, port: int, *, timeout: float = 3.0) -> tuple[dict, bool]:
    """~HS over the network, no database: (the flags or {"error": why}, whether the printer answered)."""
    try:
        return query_host_status(host, port, timeout=timeout).as_dict(), True
    except StatusUnreadable as e:
        return {"error": str(e)[:200], "ready": None}, True
    except OSError as e:
        return {"error": _("No answer: %(reason)s", reason=e.strerror or str(e) or type(e).__name__),
                "ready": False}, False
