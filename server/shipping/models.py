"""Shipments (an order's packages handed to one carrier service), end-of-day manifests, own tracking numbers."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from ..enums import LabelledStrEnum


class ShipmentStatus(LabelledStrEnum):
    LABELLED = "labelled", lazy_gettext("Label created")
    SHIPPED = "shipped", lazy_gettext("Shipped")
    VOIDED = "voided", lazy_gettext("Voided")


class Shipment(Base):
    """One carrier service for some of an order's packages; their tracking numbers are on the packages."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    carrier: Mapped[str] = mapped_column(sa.String(32), index=True)  # adapter code: local, ups, usps, fedex, dhl, amzl
    service: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[ShipmentStatus] = mapped_column(enum_column(ShipmentStatus), default=ShipmentStatus.LABELLED,
                                                   index=True)
    rate_cents: Mapped[int | None]
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    promised_delivery: Mapped[date | None]  # the rate shop's expected delivery day
    label_created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ship_by_met: Mapped[bool | None]  # shipped_at <= the order's ship_by, fixed when it ships
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # index: the dashboard's MAX()
    void_reason: Mapped[str | None] = mapped_column(sa.String(200))
    manifest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("manifests.id"), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # in a channel confirmation file
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    packages = relationship("Package", order_by="Package.number", viewonly=True)

    def __repr__(self) -> str:
        return f"<Shipment {self.id} order={self.order_id} {self.carrier}/{self.service} {self.status}>"


class Manifest(Base):
    """A carrier's end-of-day list of shipments handed over."""

    __tablename__ = "manifests"
    __table_args__ = (sa.UniqueConstraint("carrier", "day", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(sa.String(32))
    day: Mapped[date]
    number: Mapped[int] = mapped_column(default=1, server_default="1")  # a second pickup the same day
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Manifest {self.carrier} {self.day} #{self.number}>"


class TrackingSequence(Base):
    """The next serial of a carrier that issues its own tracking numbers (the local-delivery carrier)."""

    __tablename__ = "tracking_sequences"

    carrier: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    next_value: Mapped[int] = mapped_column(sa.BigInteger, default=1)
