"""The printing API's request and response shapes, and the answers built from models."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Dict, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from marshmallow import ValidationError, validates_schema

from .label_requests import KINDS, MAX_LABELS
from .models import PrintJob, PrintJobStatus, Printer, Transport
from .services import DPIS


# --- input -------------------------------------------------------------------------------------------------

class PrinterIn(Schema):
    name = String(required=True, validate=Length(1, 64))
    transport = String(load_default="tcp", validate=OneOf([t.value for t in Transport]))
    host = String(load_default=None, validate=Length(1, 255), metadata={"description": "raw TCP: name or address"})
    port = Integer(load_default=9100, strict=True, validate=Range(1, 65535))
    cups_queue = String(load_default=None, validate=Length(1, 127), metadata={"description": "CUPS: the queue"})
    dpi = Integer(load_default=203, strict=True, validate=OneOf(DPIS))


class PrinterChange(Schema):
    name = String(load_default=None, validate=Length(1, 64))
    transport = String(load_default=None, validate=OneOf([t.value for t in Transport]))
    host = String(load_default=None, validate=Length(1, 255))
    port = Integer(load_default=None, strict=True, validate=Range(1, 65535))
    cups_queue = String(load_default=None, validate=Length(1, 127))
    dpi = Integer(load_default=None, strict=True, validate=OneOf(DPIS))
    active = Boolean(load_default=None)


class StationIn(Schema):
    station = String(required=True, validate=Length(1, 64), metadata={"description": "a pack station's code"})


class JobQuery(Schema):
    printer = Integer(load_default=None, validate=Range(1, 2**31 - 1))
    status = String(load_default=None, validate=OneOf([s.value for s in PrintJobStatus]))
    limit = Integer(load_default=100, validate=Range(1, 500))


class LabelsIn(Schema):
    kind = String(required=True, validate=OneOf(KINDS))
    code = String(load_default=None, validate=Length(1, 64), metadata={"description": "one label"})
    codes = List(String(validate=Length(1, 64)), load_default=None, validate=Length(1, MAX_LABELS),
                 metadata={"description": "several labels, one job"})
    station = String(load_default=None, validate=Length(1, 64),
                     metadata={"description": "print on this station's printer (the handheld's own station)"})
    printer = String(load_default=None, validate=Length(1, 64), metadata={"description": "or on this printer"})
    copies = Integer(load_default=1, strict=True, validate=Range(1, 100))

    @validates_schema
    def _one_target(self, data, **_kwargs):
        if bool(data.get("station")) == bool(data.get("printer")):
            raise ValidationError("name a station or a printer", field_name="station")
        if bool(data.get("code")) == bool(data.get("codes")):
            raise ValidationError("send code or codes", field_name="code")


class Empty(Schema):
    pass


# --- output ------------------------------------------------------------------------------------------------

class PrinterOut(Schema):
    id = Integer()
    name = String()
    transport = String()
    host = String(allow_none=True)
    port = Integer()
    cups_queue = String(allow_none=True)
    dpi = Integer()
    active = Boolean()
    online = Boolean(allow_none=True, metadata={"description": "last contact worked; null: never tried"})
    status = Dict(allow_none=True, metadata={"description": "the last ~HS flags (paper_out, head_open, paused, "
                                                            "ribbon_out, …, ready, problems) or {error}"})
    status_at = DateTime(allow_none=True)
    queue = Integer(metadata={"description": "jobs not printed yet"})
    stations = List(String())


class PrinterList(Schema):
    printers = List(Nested(PrinterOut))


class PrintJobOut(Schema):
    id = Integer()
    printer_id = Integer()
    kind = String()
    ref_type = String(allow_none=True)
    ref_id = Integer(allow_none=True)
    copies = Integer()
    status = String(metadata={"description": "queued, sending, waiting, printed, failed or cancelled"})
    attempts = Integer()
    next_attempt_at = DateTime(allow_none=True)
    last_error = String(allow_none=True)
    reprint_of = Integer(allow_none=True)
    created_by = Integer(allow_none=True)
    created_at = DateTime()
    printed_at = DateTime(allow_none=True)
    cancelled_by = Integer(allow_none=True)
    cancelled_at = DateTime(allow_none=True)
    bytes = Integer(metadata={"description": "size of the stored ZPL"})


class PrintJobList(Schema):
    jobs = List(Nested(PrintJobOut))


def printer_out(printer: Printer, *, queue: int = 0, stations: list[str] | None = None) -> dict:
    return {"id": printer.id, "name": printer.name, "transport": printer.transport.value, "host": printer.host,
            "port": printer.port, "cups_queue": printer.cups_queue, "dpi": printer.dpi, "active": printer.active,
            "online": printer.online, "status": printer.status, "status_at": printer.status_at,
            "queue": queue, "stations": stations or []}


def job_out(job: PrintJob) -> dict:
    fields = ("id", "printer_id", "kind", "ref_type", "ref_id", "copies", "attempts", "next_attempt_at",
              "last_error", "reprint_of", "created_by", "created_at", "printed_at", "cancelled_by", "cancelled_at")
    return {**{f: getattr(job, f) for f in fields}, "status": job.status.value, "bytes": len(job.payload)}
