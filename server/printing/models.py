"""Label printers, which pack station prints where, and print jobs (stored, sent by the one print worker)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from ..enums import LabelledStrEnum


class Transport(LabelledStrEnum):
    TCP = "tcp", lazy_gettext("Raw TCP (port 9100)")
    CUPS = "cups", lazy_gettext("CUPS raw queue")


class Printer(Base):
    __tablename__ = "printers"
    __table_args__ = (sa.CheckConstraint("dpi IN (203, 300, 600)", name="dpi_known"),
                      sa.CheckConstraint("port > 0 AND port < 65536", name="port_valid"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    transport: Mapped[Transport] = mapped_column(enum_column(Transport), default=Transport.TCP)
    host: Mapped[str | None] = mapped_column(sa.String(255))
    port: Mapped[int] = mapped_column(default=9100, server_default="9100")
    cups_queue: Mapped[str | None] = mapped_column(sa.String(127))
    dpi: Mapped[int] = mapped_column(default=203, server_default="203")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The last ~HS answer, parsed ({"paper_out": bool, "head_open": bool, "paused": bool, ...}), or why none came.
    status: Mapped[dict | None] = mapped_column(sa.JSON)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    online: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Printer {self.name} {self.host}:{self.port} {self.dpi}dpi>"


class StationPrinter(Base):
    """Which printer a pack station (or any location: a dock, a receiving desk) prints labels on."""

    __tablename__ = "station_printers"

    station_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), primary_key=True)
    printer_id: Mapped[int] = mapped_column(sa.ForeignKey("printers.id"), index=True)

    printer = relationship("Printer")
    station = relationship("Location")


class PrintJobStatus(LabelledStrEnum):
    """queued → sending → printed; waiting (printer unreachable, retried with backoff) → sending → printed;
    failed after the last retry, or when the worker stopped mid-send (it may have printed: a person
    decides, see worker.py); cancelled by a person."""

    QUEUED = "queued", lazy_gettext("Queued")
    WAITING = "waiting", lazy_gettext("Waiting for the printer")
    SENDING = "sending", lazy_gettext("Sending")
    PRINTED = "printed", lazy_gettext("Printed")
    FAILED = "failed", lazy_gettext("Failed")
    CANCELLED = "cancelled", lazy_gettext("Cancelled")


class PrintJob(Base):
    __tablename__ = "print_jobs"
    __table_args__ = (sa.CheckConstraint("copies > 0", name="copies_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_id: Mapped[int] = mapped_column(sa.ForeignKey("printers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # the label template: shipping, packing_slip, bin, item, tote…
    ref_type: Mapped[str | None] = mapped_column(sa.String(32))  # what it is for: package, location, item…
    ref_id: Mapped[int | None]
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)  # the ZPL exactly as sent
    copies: Mapped[int] = mapped_column(default=1, server_default="1")
    status: Mapped[PrintJobStatus] = mapped_column(enum_column(PrintJobStatus), default=PrintJobStatus.QUEUED,
                                                   index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    reprint_of: Mapped[int | None] = mapped_column(sa.ForeignKey("print_jobs.id"))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # index: the dashboard's MAX()
    cancelled_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    printer = relationship("Printer")

    def __repr__(self) -> str:
        return f"<PrintJob {self.id} {self.kind} printer={self.printer_id} {self.status}>"
