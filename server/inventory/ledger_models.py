"""The ledger: append-only movements, balances per (item, location, lot), reservations, container moves."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from .codes import MoveKind

NO_LOT = ""  # balances without a lot use "" so that the unique key (item, location, lot) holds



class StockMove(Base):
    """One immutable movement of qty units of an item from one location to another."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        sa.CheckConstraint("qty > 0", name="qty_positive"),
        sa.CheckConstraint("src_id <> dst_id", name="distinct_locations"),
        sa.Index("ix_stock_moves_item_created", "item_id", "created_at"),
        sa.Index("ix_stock_moves_dst_item", "dst_id", "item_id"),  # also serves dst_id alone
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MoveKind] = mapped_column(enum_column(MoveKind))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"))
    qty: Mapped[int]
    src_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    dst_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    lot: Mapped[str] = mapped_column(sa.String(40), default=NO_LOT, server_default="")
    expiry: Mapped[date | None]
    serial: Mapped[str | None] = mapped_column(sa.String(40))
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    ref_type: Mapped[str | None] = mapped_column(sa.String(24))   # receipt, order, count, return...
    ref_id: Mapped[int | None]
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_moves.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the handheld's clock
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    item = relationship("Item")
    src = relationship("Location", foreign_keys=[src_id])
    dst = relationship("Location", foreign_keys=[dst_id])
    user = relationship("User")

    def __repr__(self) -> str:
        return f"<StockMove {self.id} {self.kind} {self.qty}x item={self.item_id} {self.src_id}->{self.dst_id}>"


class StockBalance(Base):
    """On-hand and reserved units of an item, per physical location and lot. Only the ledger writes it."""

    __tablename__ = "stock_balances"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "location_id", "lot"),
        sa.CheckConstraint("qty >= 0", name="qty_not_negative"),
        sa.CheckConstraint("reserved >= 0 AND reserved <= qty", name="reserved_within_qty"),
        # The few rows that hold stock: every carton and tote an item passed through keeps a row at 0, so sums over
        # stock read this (with `qty > 0` in the query) instead of the whole table.
        sa.Index("ix_stock_balances_in_stock", "item_id", "location_id", "qty", "reserved",
                 sqlite_where=sa.text("qty > 0"), postgresql_where=sa.text("qty > 0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    lot: Mapped[str] = mapped_column(sa.String(40), default=NO_LOT, server_default="")
    expiry: Mapped[date | None]
    qty: Mapped[int] = mapped_column(default=0, server_default="0")
    reserved: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    item = relationship("Item")
    location = relationship("Location")

    @property
    def available(self) -> int:
        return self.qty - self.reserved

    def __repr__(self) -> str:
        return f"<StockBalance item={self.item_id} loc={self.location_id} lot={self.lot!r} {self.qty}/{self.reserved}>"


class Reservation(Base):
    """Units of one balance row promised to an order line (DESIGN decision 5)."""

    __tablename__ = "reservations"
    __table_args__ = (sa.CheckConstraint("qty > 0", name="qty_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    balance_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_balances.id"), index=True)
    qty: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Reservation line={self.order_line_id} balance={self.balance_id} x{self.qty}>"


class ContainerMove(Base):
    """A tote, cart, pallet or license plate moved as a whole: re-parented, its stock stays on it."""

    __tablename__ = "container_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    container_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    from_parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    to_parent_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ContainerMove {self.container_id} {self.from_parent_id}->{self.to_parent_id}>"
