"""Outbound orders, their lines and their status history; the column mappings saved for generic CSV imports."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from ..enums import LabelledStrEnum


class OrderStatus(LabelledStrEnum):
    """open → allocated → picking → picked → packed → shipped; cancelled from any status before shipped.

    An order that cannot be fully allocated stays open with short_units > 0 (shown as short).
    """

    OPEN = "open", lazy_gettext("Open")
    ALLOCATED = "allocated", lazy_gettext("Allocated")
    PICKING = "picking", lazy_gettext("Picking")
    PICKED = "picked", lazy_gettext("Picked")
    PACKED = "packed", lazy_gettext("Packed")
    SHIPPED = "shipped", lazy_gettext("Shipped")
    CANCELLED = "cancelled", lazy_gettext("Cancelled")


class ShipBySource(LabelledStrEnum):
    CHANNEL = "channel", lazy_gettext("From the channel")  # the channel's latest-ship-date / promise
    COMPUTED = "computed", lazy_gettext("Handling time")  # purchase time + handling days (orders/ship_by.py)


class CancelSource(LabelledStrEnum):
    """Who cancelled: seller cancellations count toward Amazon's pre-fulfilment cancel rate, buyer ones don't."""

    SELLER = "seller", lazy_gettext("Seller (counts toward the cancel rate)")
    BUYER = "buyer", lazy_gettext("Buyer request")
    CHANNEL = "channel", lazy_gettext("Channel")



class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("channel", "channel_order_id"),
        sa.CheckConstraint("short_units >= 0", name="short_units_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(32), index=True)
    channel_order_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.OPEN, index=True)
    customer_name: Mapped[str | None] = mapped_column(sa.String(120))  # the buyer; ship_to_name is the recipient
    customer_email: Mapped[str | None] = mapped_column(sa.String(254))
    ship_to_name: Mapped[str] = mapped_column(sa.String(120))
    ship_to_address1: Mapped[str] = mapped_column(sa.String(200))
    ship_to_address2: Mapped[str | None] = mapped_column(sa.String(200))
    ship_to_address3: Mapped[str | None] = mapped_column(sa.String(200))
    ship_to_city: Mapped[str] = mapped_column(sa.String(100))
    ship_to_state: Mapped[str | None] = mapped_column(sa.String(64))
    ship_to_postal_code: Mapped[str] = mapped_column(sa.String(20))
    ship_to_country: Mapped[str] = mapped_column(sa.String(2))
    ship_to_phone: Mapped[str | None] = mapped_column(sa.String(40))
    service_level: Mapped[str | None] = mapped_column(sa.String(40))  # Standard, Expedited, SecondDay, NextDay…
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # the purchase time
    ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ship_by_source: Mapped[ShipBySource] = mapped_column(enum_column(ShipBySource), default=ShipBySource.COMPUTED)
    deliver_by: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the delivery promise, when given
    # Units of the order's lines with no reservation behind them; > 0 shows the order as short.
    short_units: Mapped[int] = mapped_column(default=0, server_default="0")
    # The channel says it is cancelled (a cancel flag, or a later full report without it): a supervisor decides.
    channel_cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    channel_cancel_note: Mapped[str | None] = mapped_column(sa.String(200))
    cancel_source: Mapped[CancelSource | None] = mapped_column(enum_column(CancelSource))
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                  order_by="OrderLine.id")
    events: Mapped[list[OrderEvent]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                    order_by="OrderEvent.id")

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.channel}:{self.channel_order_id} {self.status}>"


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        sa.CheckConstraint("qty > 0", name="qty_positive"),
        sa.CheckConstraint("qty_picked >= 0 AND qty_picked <= qty", name="qty_picked_within_qty"),
        sa.UniqueConstraint("order_id", "channel_line_id"),  # Amazon's order-item-id: de-duplicates re-imports
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    channel_line_id: Mapped[str | None] = mapped_column(sa.String(64))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    qty: Mapped[int]
    qty_picked: Mapped[int] = mapped_column(default=0, server_default="0")
    product_name: Mapped[str | None] = mapped_column(sa.String(500))  # as the channel names it

    order: Mapped[Order] = relationship(back_populates="lines")
    item = relationship("Item")

    def __repr__(self) -> str:
        return f"<OrderLine {self.id} order={self.order_id} item={self.item_id} x{self.qty}>"


class OrderEvent(Base):
    """One status change (or a channel cancel request, or a decision on one): who, when, why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[OrderStatus | None] = mapped_column(enum_column(OrderStatus))
    to_status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    order: Mapped[Order] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<OrderEvent order={self.order_id} {self.from_status}->{self.to_status}>"


class OrderImportMapping(Base):
    """A generic CSV's column names for our order fields, saved under a name so the next file imports alike."""

    __tablename__ = "order_import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(32))
    columns: Mapped[dict] = mapped_column(sa.JSON)  # our field -> their header, e.g. {"sku": "Item SKU"}
    updated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<OrderImportMapping {self.name}>"
