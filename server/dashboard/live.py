"""Has anything on the dashboard changed? A cheap fingerprint of the floor, read in one statement, so that the
page's poll every 2 s costs a handful of MAX() lookups (primary keys and indexed times) and nothing more when
the floor is quiet.

Stateless: nothing is kept in the server between two polls, so any gunicorn worker, on SQLite or PostgreSQL,
answers any poll. The fingerprint is a set of high-water marks per source (the newest id of the append-only
tables, the latest time of the columns that change when a row moves on: an order's updated_at, a print job's
printed_at, a device's last report). A section's token hashes the marks of the sources it is drawn from, plus
the minute for sections that move with time (urgency, rolling windows, minutes waited) and the reader's language
and role; the page's ETag is the sections' tokens in a row. A poll that sends the ETag back gets 304 when no
token changed, else the sections whose token did.

This is a change detector, not a read of business meaning: it reads the tables' high-water marks directly
(one round trip instead of one per domain), never what a number on the page says; the numbers come from the
domains' query functions (floor.py, metrics.py, people.py, forecast.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo

import sqlalchemy as sa

from ..auth.models import ApiToken
from ..catalog.models import Item
from ..counts.models import CountEntry, CountTask, CountVariance
from ..devices.models import DeviceReport
from ..extensions import db
from ..inventory.ledger_models import StockMove
from ..inventory.models import Location
from ..jobs.models import Job, JobStatus
from ..orders.models import Order, OrderEvent
from ..packing.models import Package
from ..printing.models import PrintJob, PrintJobStatus, Printer
from ..replenishment.models import ReplenishmentParams
from ..scanning.models import ScanLog
from ..shipping.models import Shipment

ETAG_VERSION = "d1"  # changes when the token recipe does, so an old page's ETag never matches by accident
MINUTE, DAY = "minute", "day"  # sources of time, not of the database

_WAITING_PRINTS = (PrintJobStatus.QUEUED, PrintJobStatus.WAITING, PrintJobStatus.SENDING)
_ACTIVE_JOBS = (JobStatus.QUEUED, JobStatus.RUNNING)


def _max(column):
    return sa.select(sa.func.max(column)).scalar_subquery()


def _marks():
    """Per source, the expressions whose values move whenever the source's rows do."""
    return {
        "orders": (_max(Order.id), _max(Order.updated_at)),
        "order_events": (_max(OrderEvent.id),),
        "shipments": (_max(Shipment.id), _max(Shipment.shipped_at), _max(Shipment.voided_at)),
        "packages": (_max(Package.id), _max(Package.packed_at)),
        "stock": (_max(StockMove.id),),
        "scans": (_max(ScanLog.id),),
        "print_jobs": (_max(PrintJob.id), _max(PrintJob.printed_at), _max(PrintJob.cancelled_at),
                       _max(PrintJob.next_attempt_at),
                       sa.select(sa.func.count()).where(PrintJob.status.in_(_WAITING_PRINTS)).scalar_subquery()),
        "printers": (_max(Printer.id), _max(Printer.status_at),
                     sa.select(sa.func.count()).where(Printer.active).scalar_subquery()),
        "variances": (_max(CountVariance.id), _max(CountVariance.decided_at)),
        "counts": (_max(CountEntry.id), _max(CountTask.id), _max(CountTask.closed_at)),
        "jobs": (_max(Job.id), _max(Job.started_at), _max(Job.finished_at),
                 sa.select(sa.func.sum(Job.done)).where(Job.status.in_(_ACTIVE_JOBS)).scalar_subquery()),
        "devices": (_max(DeviceReport.reported_at),),
        "sign_ins": (_max(ApiToken.id), _max(ApiToken.revoked_at)),
        "replenishment": (_max(ReplenishmentParams.updated_at),),
        "catalog": (_max(Item.id), _max(Location.id)),
    }


def fingerprint() -> dict[str, tuple[str, ...]]:
    """Source name → its high-water marks now, as text: one SELECT of scalar subqueries."""
    marks = _marks()
    values = db.session.execute(sa.select(*(e for exprs in marks.values() for e in exprs))).one()
    out, at = {}, 0
    for name, exprs in marks.items():
        out[name] = tuple("" if v is None else str(v) for v in values[at:at + len(exprs)])
        at += len(exprs)
    return out


def clock_marks(now: datetime, tz: tzinfo) -> dict[str, tuple[str, ...]]:
    """The sources of time: the current minute (UTC) and the warehouse's local date."""
    return {MINUTE: (now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"),),
            DAY: (now.astimezone(tz).date().isoformat(),)}


def section_tokens(marks: Mapping[str, tuple[str, ...]], sections: Mapping[str, Sequence[str]],
                   reader: str) -> dict[str, str]:
    """Section name → a short hash of the marks of its sources and of who reads it (language, role)."""
    tokens = {}
    for name, sources in sections.items():
        text = repr((name, reader, [(source, marks[source]) for source in sources]))
        tokens[name] = hashlib.blake2s(text.encode(), digest_size=6).hexdigest()
    return tokens


def etag(tokens: Mapping[str, str]) -> str:
    """The page's ETag (quoted, strong): the version, then every section's token in order."""
    return '"' + ".".join((ETAG_VERSION, *tokens.values())) + '"'


def tokens_of(header: str | None, names: Sequence[str]) -> dict[str, str]:
    """The section tokens an If-None-Match header carries (none when it is missing or from another recipe)."""
    if not header:
        return {}
    value = header.strip().removeprefix("W/").strip('"')
    parts = value.split(".")
    if parts[0] != ETAG_VERSION or len(parts) != len(names) + 1:
        return {}
    return dict(zip(names, parts[1:], strict=True))


def changed(current: Mapping[str, str], known: Mapping[str, str]) -> list[str]:
    """The sections whose token differs from the one the page has (all of them when it has none)."""
    return [name for name, token in current.items() if known.get(name) != token]
