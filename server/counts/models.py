"""Count requests: a bin (and item) someone should count. Short picks raise them; the counts issue schedules them."""

from __future__ import annotations

from datetime import datetime

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
