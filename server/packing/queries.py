"""Read-only look-ups of packing for pages and reports: box types, and an order's or a shipment's packages."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from .models import BoxType, Package, PackageLine


def box_type_rows(*, include_inactive: bool = True):
    """Box types, active ones first, smallest (by volume) first, with how many packages used each."""
    used = (sa.select(Package.box_type_id, sa.func.count().label("packages"))
            .group_by(Package.box_type_id).subquery())
    volume = BoxType.length_mm * BoxType.width_mm * BoxType.height_mm
    stmt = (sa.select(BoxType, sa.func.coalesce(used.c.packages, 0).label("packages"))
            .outerjoin(used, used.c.box_type_id == BoxType.id)
            .order_by(BoxType.active.desc(), volume, BoxType.code))
    if not include_inactive:
        stmt = stmt.where(BoxType.active)
    return db.session.execute(stmt).all()


def packages_of_shipment(shipment_id: int) -> list[Package]:
    """A shipment's packages in order (1 of n first), with their lines and box type loaded."""
    return list(db.session.scalars(
        sa.select(Package).where(Package.shipment_id == shipment_id).order_by(Package.number)
        .options(sa.orm.selectinload(Package.lines).joinedload(PackageLine.item),
                 sa.orm.joinedload(Package.box_type))).unique())


def packages_packed(since: datetime, until: datetime) -> sa.Select:
    """The packages closed in [since, until) as (user_id, at, units): who packed each, when, and the units in it —
    a SELECT for reports to aggregate."""
    return (sa.select(Package.packed_by.label("user_id"), Package.packed_at.label("at"),
                      sa.func.coalesce(sa.func.sum(PackageLine.qty), 0).label("units"))
            .outerjoin(PackageLine, PackageLine.package_id == Package.id)
            .where(Package.packed_by.is_not(None), Package.packed_at >= since, Package.packed_at < until)
            .group_by(Package.id, Package.packed_by, Package.packed_at))


def orders_packed_by_person(since: datetime, until: datetime):
    """Orders packed in [since, until): who packed (user id), which order, when that person's first package of
    it was opened (started_at) and their last closed (packed_at), by person and time."""
    packed_at = sa.func.max(Package.packed_at)
    return db.session.execute(
        sa.select(Package.packed_by, Package.order_id, sa.func.min(Package.created_at).label("started_at"),
                  packed_at.label("packed_at"))
        .where(Package.packed_at >= since, Package.packed_at < until, Package.packed_by.is_not(None))
        .group_by(Package.packed_by, Package.order_id)
        .order_by(Package.packed_by, packed_at)).all()
