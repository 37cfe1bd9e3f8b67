"""Pick batches (a cart of totes, one per order), their orders and their pick tasks (one stop, one line)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from ..enums import LabelledStrEnum


class BatchStatus(LabelledStrEnum):
    """draft (built, not yet on the floor) → released (a picker may take it) → picking → done; or cancelled."""

    DRAFT = "draft", lazy_gettext("Draft")
    RELEASED = "released", lazy_gettext("Released")
    PICKING = "picking", lazy_gettext("Picking")
    DONE = "done", lazy_gettext("Done")
    CANCELLED = "cancelled", lazy_gettext("Cancelled")


class TaskStatus(LabelledStrEnum):
    OPEN = "open", lazy_gettext("To pick")
    PICKED = "picked", lazy_gettext("Picked")
    SHORT = "short", lazy_gettext("Short")  # the bin had fewer than the task asked; the rest was re-allocated or is missing
    SKIPPED = "skipped", lazy_gettext("Skipped")  # put back at the end of the route, still to pick
    CANCELLED = "cancelled", lazy_gettext("Cancelled")



class PickBatch(Base):
    __tablename__ = "pick_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[BatchStatus] = mapped_column(enum_column(BatchStatus), default=BatchStatus.DRAFT, index=True)
    zone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zones.id"))  # zone picking: only this zone's stops
    cart_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))  # bound when the picker scans it
    picker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    # Single-unit orders sharing one tote, sorted at the pack station ("sort later").
    sort_later: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    route_m: Mapped[float | None]  # walking distance of the planned route, metres
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    orders: Mapped[list[BatchOrder]] = relationship(back_populates="batch", cascade="all, delete-orphan",
                                                    order_by="BatchOrder.tote_number")
    tasks: Mapped[list[PickTask]] = relationship(back_populates="batch", cascade="all, delete-orphan",
                                                 order_by="PickTask.sequence")

    @property
    def code(self) -> str:
        return f"B{self.id:06d}"

    def __repr__(self) -> str:
        return f"<PickBatch {self.id} {self.status}>"


class BatchOrder(Base):
    """An order on a batch, and the tote slot (1..n on the cart) its units go into."""

    __tablename__ = "pick_batch_orders"
    __table_args__ = (sa.UniqueConstraint("batch_id", "order_id"),
                      sa.CheckConstraint("tote_number > 0", name="tote_number_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("pick_batches.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    tote_number: Mapped[int]
    tote_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))  # the tote location, once bound

    batch: Mapped[PickBatch] = relationship(back_populates="orders")

    def __repr__(self) -> str:
        return f"<BatchOrder batch={self.batch_id} order={self.order_id} tote#{self.tote_number}>"


class PickTask(Base):
    """Pick qty of one order line's item from one location (and lot) into the order's tote: one stop's line."""

    __tablename__ = "pick_tasks"
    __table_args__ = (sa.CheckConstraint("qty > 0", name="qty_positive"),
                      sa.CheckConstraint("qty_picked >= 0 AND qty_picked <= qty", name="qty_picked_within_qty"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("pick_batches.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    reservation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reservations.id", ondelete="SET NULL"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"))
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    lot: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")  # NO_LOT is ""
    qty: Mapped[int]
    qty_picked: Mapped[int] = mapped_column(default=0, server_default="0")
    tote_number: Mapped[int]
    sequence: Mapped[int]  # position on the walking route; a skipped task moves to the end
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus), default=TaskStatus.OPEN, index=True)
    picked_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    picked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the device's clock, offline picks

    batch: Mapped[PickBatch] = relationship(back_populates="tasks")
    item = relationship("Item")
    location = relationship("Location")

    def __repr__(self) -> str:
        return f"<PickTask {self.id} batch={self.batch_id} line={self.order_line_id} x{self.qty} {self.status}>"
