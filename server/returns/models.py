"""Customer returns: received by order, tracking number or RMA; each unit graded and disposed through the ledger."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from ..enums import LabelledStrEnum


class ReturnStatus(LabelledStrEnum):
    OPEN = "open", lazy_gettext("Being received")
    CLOSED = "closed", lazy_gettext("Closed")


class Condition(LabelledStrEnum):
    SELLABLE = "sellable", lazy_gettext("Sellable")
    DAMAGED = "damaged", lazy_gettext("Damaged")
    DEFECTIVE = "defective", lazy_gettext("Defective")


class Disposition(LabelledStrEnum):
    RESTOCK = "restock", lazy_gettext("Restock to a bin")
    QUARANTINE = "quarantine", lazy_gettext("Quarantine")
    SCRAP = "scrap", lazy_gettext("Scrap")


class Return(Base):
    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    rma: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    tracking_number: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    status: Mapped[ReturnStatus] = mapped_column(enum_column(ReturnStatus), default=ReturnStatus.OPEN, index=True)
    note: Mapped[str | None] = mapped_column(sa.String(300))
    received_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[ReturnLine]] = relationship(back_populates="ret", cascade="all, delete-orphan",
                                                   order_by="ReturnLine.id")


class ReturnLine(Base):
    """Units of one item back from the customer, graded and disposed (restock/quarantine: a RETURN movement into
    that location; scrap: into SCRAP, adding no stock)."""

    __tablename__ = "return_lines"
    __table_args__ = (sa.CheckConstraint("qty > 0", name="qty_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(sa.ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_lines.id"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    qty: Mapped[int]
    condition: Mapped[Condition] = mapped_column(enum_column(Condition))
    disposition: Mapped[Disposition] = mapped_column(enum_column(Disposition))
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))  # restock bin / quarantine
    move_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_moves.id"))
    refund_ready: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    refund_exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ret: Mapped[Return] = relationship(back_populates="lines")
    item = relationship("Item")
