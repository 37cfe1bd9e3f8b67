"""Outbound orders and their lines (the orders issue adds allocation and the status machine)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow


class OrderStatus(enum.StrEnum):
    OPEN = "open"
    ALLOCATED = "allocated"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (sa.UniqueConstraint("channel", "channel_order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(32))
    channel_order_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[OrderStatus] = mapped_column(
        sa.Enum(OrderStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=OrderStatus.OPEN, index=True)
    ship_to_name: Mapped[str] = mapped_column(sa.String(120))
    ship_to_address1: Mapped[str] = mapped_column(sa.String(200))
    ship_to_address2: Mapped[str | None] = mapped_column(sa.String(200))
    ship_to_city: Mapped[str] = mapped_column(sa.String(100))
    ship_to_state: Mapped[str | None] = mapped_column(sa.String(64))
    ship_to_postal_code: Mapped[str] = mapped_column(sa.String(20))
    ship_to_country: Mapped[str] = mapped_column(sa.String(2))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                  order_by="OrderLine.id")

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.channel}:{self.channel_order_id} {self.status}>"


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (sa.CheckConstraint("qty > 0", name="qty_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    qty: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")
    item = relationship("Item")

    def __repr__(self) -> str:
        return f"<OrderLine {self.id} order={self.order_id} item={self.item_id} x{self.qty}>"
