"""Read-only views of shipments and manifests for the supervisor pages (server/supervisor/shipments.py)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ..errors import NotFound, get_or_404
from ..extensions import db
from ..orders.models import Order, OrderStatus
from ..orders.queries import count_where
from ..packing.models import Package
from ..printing.models import PrintJob
from .models import Manifest, Shipment, ShipmentStatus
from .services import day_bounds
from .tracking import InvalidTracking, validate_tracking

# The list's status filter: a ShipmentStatus value, or one of these two.
NOT_VOIDED = "not_voided"
ALL_STATUSES = "all"


def carrier_codes() -> list[str]:
    """Every carrier a stored shipment names (also one since switched off)."""
    return list(db.session.scalars(sa.select(Shipment.carrier).distinct().order_by(Shipment.carrier)))


@dataclass(frozen=True)
class ShipmentFilter:
    since: datetime | None = None   # label created at or after (UTC)
    until: datetime | None = None   # … and before
    carrier: str | None = None
    status: str = NOT_VOIDED
    late_only: bool = False         # shipped after the order's ship-by, or not shipped and past it
    now: datetime | None = None     # the instant "past the ship-by" is measured from
    q: str | None = None            # order id of the channel, recipient or tracking number (part of)


def _late(now: datetime | None):
    shipped_late = Shipment.ship_by_met.is_(False)
    if now is None:
        return shipped_late
    waiting_late = sa.and_(Shipment.status == ShipmentStatus.LABELLED, Order.ship_by.is_not(None),
                           Order.ship_by < now)
    return sa.or_(shipped_late, waiting_late)


def shipment_rows(f: ShipmentFilter) -> sa.Select:
    """The list's statement (newest label first), one row a shipment: id, order_id, channel_order_id,
    ship_to_name, carrier, service, status, packages (count), tracking (package 1's), label_created_at,
    shipped_at, ship_by, ship_by_met, late."""
    packages = (sa.select(sa.func.count()).where(Package.shipment_id == Shipment.id)
                .correlate(Shipment).scalar_subquery())
    tracking = (sa.select(Package.tracking_number).where(Package.shipment_id == Shipment.id)
                .order_by(Package.number).limit(1).correlate(Shipment).scalar_subquery())
    late = _late(f.now)
    stmt = (sa.select(Shipment.id, Shipment.order_id, Order.channel_order_id, Order.ship_to_name, Shipment.carrier,
                      Shipment.service, Shipment.status, packages.label("packages"), tracking.label("tracking"),
                      Shipment.label_created_at, Shipment.shipped_at, Order.ship_by, Shipment.ship_by_met,
                      sa.case((late, True), else_=False).label("late"))
            .join(Order, Order.id == Shipment.order_id)
            .order_by(Shipment.label_created_at.desc(), Shipment.id.desc()))
    if f.since is not None:
        stmt = stmt.where(Shipment.label_created_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Shipment.label_created_at < f.until)
    if f.carrier:
        stmt = stmt.where(Shipment.carrier == f.carrier)
    if f.status == NOT_VOIDED:
        stmt = stmt.where(Shipment.status != ShipmentStatus.VOIDED)
    elif f.status != ALL_STATUSES:
        stmt = stmt.where(Shipment.status == f.status)
    if f.late_only:
        stmt = stmt.where(late)
    if f.q:
        like = f"%{f.q.strip().upper()}%"
        on_package = sa.select(Package.id).where(Package.shipment_id == Shipment.id,
                                                 sa.func.upper(Package.tracking_number).like(like))
        stmt = stmt.where(sa.or_(sa.func.upper(Order.channel_order_id).like(like),
                                 sa.func.upper(Order.ship_to_name).like(like), on_package.exists()))
    return stmt


def get_shipment(shipment_id: int) -> Shipment:
    return get_or_404(Shipment, shipment_id, _("There is no shipment %(id)d.", id=shipment_id), "shipment")


def shipment_order(shipment: Shipment) -> Order:
    return db.session.get(Order, shipment.order_id)


def print_jobs_of(shipment: Shipment, package_ids: list[int]) -> list[PrintJob]:
    """The label jobs of these packages, newest first (reprints included)."""
    if not package_ids:
        return []
    return list(db.session.scalars(sa.select(PrintJob).where(PrintJob.ref_type == "package",
                                                             PrintJob.ref_id.in_(package_ids))
                                   .order_by(PrintJob.id.desc())))


def shipment_print_job(shipment: Shipment, job_id: int, package_ids: list[int]) -> PrintJob:
    """One label job of the shipment's packages (a job of anything else is not this page's to reprint)."""
    job = db.session.get(PrintJob, job_id)
    if job is None or job.ref_type != "package" or job.ref_id not in package_ids:
        raise NotFound(_("Shipment %(s)d has no print job %(id)d.", s=shipment.id, id=job_id), field="job")
    return job


def manifests(*, limit: int = 30) -> list[dict]:
    """The latest manifests with their shipment and package counts and total weight."""
    rows = db.session.execute(
        sa.select(Manifest, sa.func.count(sa.distinct(Shipment.id)), sa.func.count(Package.id),
                  sa.func.coalesce(sa.func.sum(Package.weight_g), 0))
        .outerjoin(Shipment, Shipment.manifest_id == Manifest.id)
        .outerjoin(Package, Package.shipment_id == Shipment.id)
        .group_by(Manifest.id).order_by(Manifest.day.desc(), Manifest.id.desc()).limit(limit)).all()
    return [{"id": m.id, "carrier": m.carrier, "carrier_name": carrier_name(m.carrier), "day": m.day,
             "number": m.number, "closed_at": m.closed_at, "shipments": shipments, "packages": packages,
             "weight_g": weight} for m, shipments, packages, weight in rows]


def manifest_detail(manifest_id: int) -> dict | None:
    """A manifest and its lines (one per package: order, recipient, service, tracking number, SSCC, weight),
    for the printable list the driver signs; None when there is no such manifest."""
    manifest = db.session.get(Manifest, manifest_id)
    if manifest is None:
        return None
    rows = db.session.execute(
        sa.select(Shipment, Package, Order).join(Package, Package.shipment_id == Shipment.id)
        .join(Order, Order.id == Shipment.order_id).where(Shipment.manifest_id == manifest.id)
        .order_by(Shipment.id, Package.number)).all()
    lines = [{"shipment": s.id, "order_ref": o.channel_order_id, "ship_to_name": o.ship_to_name,
              "ship_to_city": o.ship_to_city, "ship_to_state": o.ship_to_state,
              "ship_to_postal_code": o.ship_to_postal_code, "ship_to_country": o.ship_to_country, "service": s.service, "package": p.number,
              "tracking_number": p.tracking_number, "sscc": p.sscc, "weight_g": p.weight_g} for s, p, o in rows]
    return {"id": manifest.id, "carrier": manifest.carrier, "carrier_name": carrier_name(manifest.carrier),
            "day": manifest.day, "number": manifest.number, "closed_at": manifest.closed_at, "lines": lines,
            "packages": len(lines), "weight_g": sum(line["weight_g"] or 0 for line in lines)}


def carrier_name(code: str) -> str:
    """The carrier's name, or its code when it is no longer configured."""
    from .carriers import UnknownCarrier, get_carrier
    try:
        return get_carrier(code).name
    except UnknownCarrier:
        return code


def waiting_for_manifest() -> dict[str, int]:
    """carrier → shipped shipments not on a manifest yet (what closing that carrier's manifest would take)."""
    return dict(db.session.execute(
        sa.select(Shipment.carrier, sa.func.count()).where(Shipment.status == ShipmentStatus.SHIPPED,
                                                           Shipment.manifest_id.is_(None))
        .group_by(Shipment.carrier).order_by(Shipment.carrier)).all())


def ship_by_summary(day: date) -> dict[str, int]:
    """Shipments shipped that day that met and that missed their order's ship-by (the late-shipment rate)."""
    start, end = day_bounds(day)
    rows = db.session.execute(
        sa.select(Shipment.ship_by_met, sa.func.count()).where(
            Shipment.status == ShipmentStatus.SHIPPED, Shipment.shipped_at >= start, Shipment.shipped_at < end)
        .group_by(Shipment.ship_by_met)).all()
    counts = {bool(met): n for met, n in rows if met is not None}
    return {"met": counts.get(True, 0), "missed": counts.get(False, 0)}


# --- seller metrics and the dashboard (server/dashboard/metrics.py defines the metrics) -------------------------

def confirmed_on_time():
    """A condition on Order: one of its shipments was ship-confirmed at or before its ship-by (to the
    microsecond: confirmed on the deadline's second is on time). Only the first confirmation matters: a later
    split shipment doesn't make an order late, and an order never confirmed is not on time."""
    # shipped_at is set while a shipment is shipped, and only then (voiding clears it): no status test, which
    # would tempt PostgreSQL into intersecting the order's shipments with every shipped one.
    return (sa.select(Shipment.id).where(Shipment.order_id == Order.id, Shipment.shipped_at <= Order.ship_by)
            .correlate(Order).exists())


def _due_between(since: datetime, until: datetime, channel: str | None) -> list:
    conditions = [Order.status != OrderStatus.CANCELLED, Order.ship_by >= since, Order.ship_by < until]
    return conditions + [Order.channel == channel] if channel else conditions


def late_shipment_orders(since: datetime, until: datetime):
    """A condition on Order: due (ship-by) in [since, until), not cancelled, and not confirmed on time."""
    return sa.and_(*_due_between(since, until, None), sa.not_(confirmed_on_time()))


def late_shipment_counts(*, since: datetime, until: datetime, channel: str | None = None) -> tuple[int, int]:
    """(orders not cancelled with ship-by in [since, until), of them not confirmed on time): the late
    shipment rate's denominator and numerator."""
    due = _due_between(since, until, channel)
    return count_where(due, [*due, sa.not_(confirmed_on_time())])


def orders_first_shipped_between(start: datetime, end: datetime) -> dict[str, int]:
    """Orders whose first shipment was confirmed in [start, end), and how many of them after their ship-by:
    {"shipped": n, "late": n}."""
    in_range = sa.select(Shipment.order_id).where(Shipment.shipped_at >= start, Shipment.shipped_at < end)
    earlier = (sa.select(Shipment.id).where(Shipment.order_id == Order.id, Shipment.shipped_at < start)
               .correlate(Order).exists())
    first = [Order.id.in_(in_range), sa.not_(earlier)]
    shipped, late = count_where(first, [*first, Order.ship_by.is_not(None), sa.not_(confirmed_on_time())])
    return {"shipped": shipped, "late": late}


@functools.lru_cache(maxsize=65536)
def _tracking_valid(carrier: str, number: str | None) -> bool:
    # A pure function of its arguments (server/shipping/tracking.py): kept, so that a live page re-reading a
    # month of shipments doesn't check the same digits again.
    if not number:
        return False
    try:
        validate_tracking(carrier, number)
    except InvalidTracking:
        return False
    return True


def tracking_validity(*, since: datetime, until: datetime, channel: str | None = None) -> dict[int, tuple[int, bool]]:
    """Shipments ship-confirmed in [since, until) (voided ones are not: voiding clears the confirmation):
    shipment id → (its order's id, whether every package has a tracking number that passes its carrier's
    format and check digit). A shipment without packages has no tracking: not valid."""
    stmt = (sa.select(Shipment.id, Shipment.order_id, Shipment.carrier, Package.tracking_number)
            .outerjoin(Package, Package.shipment_id == Shipment.id)
            .where(Shipment.shipped_at >= since, Shipment.shipped_at < until))
    if channel:
        stmt = stmt.join(Order, Order.id == Shipment.order_id).where(Order.channel == channel)
    found: dict[int, tuple[int, bool]] = {}
    for shipment_id, order_id, carrier, number in db.session.execute(stmt):
        valid = found.get(shipment_id, (order_id, True))[1] and _tracking_valid(carrier, number)
        found[shipment_id] = (order_id, valid)
    return found


def orders_without_valid_tracking(since: datetime, until: datetime):
    """A condition on Order: one of its shipments confirmed in [since, until) lacks valid tracking."""
    ids = {order_id for order_id, valid in tracking_validity(since=since, until=until).values() if not valid}
    return Order.id.in_(sorted(ids))
