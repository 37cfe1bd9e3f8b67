"""Items (SKUs) and their barcodes."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow


class BarcodeKind(enum.StrEnum):
    GTIN = "gtin"          # GTIN-8/12/13/14, stored in 14-digit form
    FNSKU = "fnsku"        # Amazon fulfilment network SKU (X00…)
    INTERNAL = "internal"  # our own or a supplier's code
    CASE = "case"          # a case-pack barcode that stands for several units


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(64))
    # Upper-cased SKU: SKUs match case-insensitively (scanners with Caps Lock, typed input).
    sku_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(16), default="each")
    weight_g: Mapped[int | None]
    length_mm: Mapped[int | None]
    width_mm: Mapped[int | None]
    height_mm: Mapped[int | None]
    value_cents: Mapped[int | None]
    home_zone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zones.id"))
    tracks_lot: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    tracks_expiry: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    tracks_serial: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    barcodes: Mapped[list[ItemBarcode]] = relationship(back_populates="item", cascade="all, delete-orphan",
                                                       order_by="ItemBarcode.id")
    home_zone = relationship("Zone")

    __table_args__ = (
        sa.CheckConstraint("weight_g IS NULL OR weight_g >= 0", name="weight_not_negative"),
        sa.CheckConstraint("value_cents IS NULL OR value_cents >= 0", name="value_not_negative"),
    )

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.sku}>"


class ItemBarcode(Base):
    __tablename__ = "item_barcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id", ondelete="CASCADE"), index=True)
    # Normalised form: GTINs as 14 digits, everything else upper-cased.
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[BarcodeKind] = mapped_column(enum_column(BarcodeKind))
    units: Mapped[int] = mapped_column(default=1, server_default="1")  # >1 for case-pack codes

    item: Mapped[Item] = relationship(back_populates="barcodes")

    __table_args__ = (sa.CheckConstraint("units >= 1", name="units_positive"),)

    def __repr__(self) -> str:
        return f"<ItemBarcode {self.code} {self.kind} x{self.units} item={self.item_id}>"
