"""Inbound receipts: expected (purchase order / ASN) or blind, with what arrived against each line."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow


class ReceiptStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Receipt(Base):
    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The PO or ASN number printed on the paperwork; blind receipts get a generated one.
    reference: Mapped[str] = mapped_column(sa.String(64), unique=True)
    supplier: Mapped[str | None] = mapped_column(sa.String(120))
    blind: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ReceiptStatus] = mapped_column(
        enum_column(ReceiptStatus),
        default=ReceiptStatus.OPEN)
    expected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[ReceiptLine]] = relationship(back_populates="receipt", cascade="all, delete-orphan",
                                                    order_by="ReceiptLine.id")

    def __repr__(self) -> str:
        return f"<Receipt {self.reference} {self.status}>"


class ReceiptLine(Base):
    __tablename__ = "receipt_lines"
    __table_args__ = (
        sa.UniqueConstraint("receipt_id", "item_id"),
        sa.CheckConstraint("expected_qty >= 0", name="expected_not_negative"),
        sa.CheckConstraint("received_qty >= 0", name="received_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"))
    expected_qty: Mapped[int] = mapped_column(default=0)
    received_qty: Mapped[int] = mapped_column(default=0)

    receipt: Mapped[Receipt] = relationship(back_populates="lines")
    item = relationship("Item")

    def __repr__(self) -> str:
        return f"<ReceiptLine receipt={self.receipt_id} item={self.item_id} {self.received_qty}/{self.expected_qty}>"
