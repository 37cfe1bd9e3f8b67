"""Cycle counts: ABC classes, count requests (short picks raise them), day lists, count tasks, the counters' entries and
the variances a supervisor approves (each approved one posts exactly one ledger adjustment)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from ..enums import LabelledStrEnum


class CountRequestReason(LabelledStrEnum):
    SHORT_PICK = "short_pick", lazy_gettext("Short pick")
    SUPERVISOR = "supervisor", lazy_gettext("Supervisor request")
    AD_HOC = "ad_hoc", lazy_gettext("Ad-hoc")


class CountRequestStatus(LabelledStrEnum):
    OPEN = "open", lazy_gettext("Open")
    DONE = "done", lazy_gettext("Done")
    CANCELLED = "cancelled", lazy_gettext("Cancelled")



class CountRequest(Base):
    __tablename__ = "count_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("items.id"))
    reason: Mapped[CountRequestReason] = mapped_column(enum_column(CountRequestReason))
    status: Mapped[CountRequestStatus] = mapped_column(enum_column(CountRequestStatus), default=CountRequestStatus.OPEN,
                                                       index=True)
    note: Mapped[str | None] = mapped_column(sa.String(300))  # e.g. "expected 3, found 1 (pick task 42)"
    expected_qty: Mapped[int | None]  # what the system held when the request was made (never shown to counters)
    pick_task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pick_tasks.id"))
    requested_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    location = relationship("Location")
    item = relationship("Item")

    def __repr__(self) -> str:
        return f"<CountRequest {self.id} loc={self.location_id} {self.reason} {self.status}>"


class ItemClass(Base):
    """An item's ABC class from pick velocity × unit value (recomputed on demand and on a schedule)."""

    __tablename__ = "item_classes"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    abc_class: Mapped[str] = mapped_column(sa.String(1), index=True)  # "A", "B" or "C"
    units_per_day: Mapped[float] = mapped_column(default=0.0)  # picked units over the look-back window
    value_per_day_cents: Mapped[float] = mapped_column(default=0.0)  # velocity × unit value: what ranks
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CountList(Base):
    """A day's list of bins to count, sized to a target number of minutes."""

    __tablename__ = "count_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    target_minutes: Mapped[int]
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CountTaskReason(LabelledStrEnum):
    SCHEDULED = "scheduled", lazy_gettext("Scheduled (ABC)")
    AD_HOC = "ad_hoc", lazy_gettext("Ad-hoc")
    SHORT_PICK = "short_pick", lazy_gettext("Short pick")
    SUPERVISOR = "supervisor", lazy_gettext("Supervisor request")
    RECOUNT = "recount", lazy_gettext("Recount")


class CountTaskStatus(LabelledStrEnum):
    """open → counted (all within tolerance: posted) | recount (a recount task by another user) →
    approval (still beyond tolerance: a supervisor decides) → posted | recount again; or cancelled."""

    OPEN = "open", lazy_gettext("To count")
    RECOUNT = "recount", lazy_gettext("Waiting for a recount")
    APPROVAL = "approval", lazy_gettext("Waiting for approval")
    POSTED = "posted", lazy_gettext("Posted")
    CANCELLED = "cancelled", lazy_gettext("Cancelled")


class CountTask(Base):
    """Count one bin (or one item in it). Counters never see the expected quantity."""

    __tablename__ = "count_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("items.id"))  # None: everything in the bin
    reason: Mapped[CountTaskReason] = mapped_column(enum_column(CountTaskReason))
    status: Mapped[CountTaskStatus] = mapped_column(enum_column(CountTaskStatus), default=CountTaskStatus.OPEN,
                                                    index=True)
    abc_class: Mapped[str | None] = mapped_column(sa.String(1))
    due_on: Mapped[date | None] = mapped_column(index=True)
    count_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("count_lists.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("count_requests.id"))
    recount_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("count_tasks.id"))
    excluded_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))  # a recount: not this counter
    empty_confirmed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    location = relationship("Location")
    item = relationship("Item")


class CountEntry(Base):
    """What one counter counted of one item (and lot) in the task's bin. Entries are kept, never deleted:
    two counters' counts of one bin are compared, not overwritten."""

    __tablename__ = "count_entries"
    __table_args__ = (sa.CheckConstraint("qty >= 0", name="qty_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("count_tasks.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    qty: Mapped[int]
    # The ledger as it stood when the count was made (the highest movement id then): picks and moves after it
    # are added to the counted quantity before comparing, so nothing is corrected twice.
    ledger_mark: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    unexpected: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # not on record here
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VarianceStatus(LabelledStrEnum):
    WITHIN = "within", lazy_gettext("Within tolerance")
    RECOUNT = "recount", lazy_gettext("Recount")
    PENDING = "pending", lazy_gettext("Waiting for approval")
    APPROVED = "approved", lazy_gettext("Approved")
    REJECTED = "rejected", lazy_gettext("Rejected (recount)")


class CountVariance(Base):
    """Counted against expected (at the count's ledger mark) for one item and lot of a task; an approved one
    posts exactly one count adjustment (adjustment_move_id is unique)."""

    __tablename__ = "count_variances"
    __table_args__ = (sa.UniqueConstraint("task_id", "item_id", "lot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("count_tasks.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    expected_qty: Mapped[int]
    counted_qty: Mapped[int]
    delta: Mapped[int]  # counted − expected
    value_cents: Mapped[int] = mapped_column(default=0)  # |delta| × unit value
    status: Mapped[VarianceStatus] = mapped_column(enum_column(VarianceStatus), index=True)
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adjustment_move_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_moves.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    item = relationship("Item")
