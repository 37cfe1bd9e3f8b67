"""Box types, and packages: the cartons an order is packed into, with what each holds."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from ..enums import LabelledStrEnum


class BoxType(Base):
    """A carton size the packers have (inner dimensions): the pack station suggests the smallest that fits."""

    __tablename__ = "box_types"
    __table_args__ = (sa.CheckConstraint("length_mm > 0 AND width_mm > 0 AND height_mm > 0", name="dims_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)  # printed on the shelf, scannable
    name: Mapped[str] = mapped_column(sa.String(120))
    length_mm: Mapped[int]
    width_mm: Mapped[int]
    height_mm: Mapped[int]
    max_weight_g: Mapped[int | None]
    tare_g: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    def __repr__(self) -> str:
        return f"<BoxType {self.code}>"


class PackageStatus(LabelledStrEnum):
    """open (being packed) → packed (closed, weighed) → labelled (tracking number, label printed) → loaded
    (scanned at the dock) → shipped; voided when its label is voided (the package can be labelled again)."""

    OPEN = "open", lazy_gettext("Being packed")
    PACKED = "packed", lazy_gettext("Packed")
    LABELLED = "labelled", lazy_gettext("Labelled")
    LOADED = "loaded", lazy_gettext("Loaded")
    SHIPPED = "shipped", lazy_gettext("Shipped")
    VOIDED = "voided", lazy_gettext("Voided")


class Package(Base):
    """One carton of one order. Its stock sits on its own CARTON location (container_id) until it ships."""

    __tablename__ = "packages"
    __table_args__ = (sa.UniqueConstraint("order_id", "number"),
                      sa.CheckConstraint("number > 0", name="number_positive"),
                      sa.CheckConstraint("weight_g IS NULL OR weight_g > 0", name="weight_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    number: Mapped[int]  # package i of n of its order
    status: Mapped[PackageStatus] = mapped_column(enum_column(PackageStatus), default=PackageStatus.OPEN, index=True)
    container_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), unique=True)
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))  # the pack station
    box_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("box_types.id"))
    length_mm: Mapped[int | None]
    width_mm: Mapped[int | None]
    height_mm: Mapped[int | None]
    weight_g: Mapped[int | None]
    sscc: Mapped[str | None] = mapped_column(sa.String(18), unique=True)  # GS1 SSCC (AI 00), 18 digits
    shipment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shipments.id"), index=True)
    tracking_number: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    packed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    loaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[PackageLine]] = relationship(back_populates="package", cascade="all, delete-orphan",
                                                    order_by="PackageLine.id")
    box_type = relationship("BoxType")
    container = relationship("Location", foreign_keys=[container_id])

    def __repr__(self) -> str:
        return f"<Package {self.id} order={self.order_id} #{self.number} {self.status}>"


class PackageLine(Base):
    """Units of one order line (and lot) in one package: the packing slip and split-shipment confirmations."""

    __tablename__ = "package_lines"
    __table_args__ = (sa.UniqueConstraint("package_id", "order_line_id", "lot"),
                      sa.CheckConstraint("qty > 0", name="qty_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(sa.ForeignKey("packages.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    qty: Mapped[int]

    package: Mapped[Package] = relationship(back_populates="lines")
    item = relationship("Item")

    def __repr__(self) -> str:
        return f"<PackageLine package={self.package_id} line={self.order_line_id} x{self.qty}>"


class PackOverride(Base):
    """A supervisor's leave to pack and label an order that is not fully picked or packed, and why."""

    __tablename__ = "pack_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(300))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PackOverride order={self.order_id}>"
