"""One row per handheld: its latest report, replaced by each new one (a status board, not a history)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class DeviceReport(Base):
    __tablename__ = "device_reports"

    device_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # the handheld's X-Device-Id
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    screen: Mapped[str | None] = mapped_column(sa.String(24))        # "pick", "pack", "move"...
    batch_id: Mapped[int | None] = mapped_column(sa.Integer)          # the pick batch on screen, if any
    queued: Mapped[int] = mapped_column(sa.Integer, default=0)        # writes waiting in its offline queue
    refused: Mapped[int] = mapped_column(sa.Integer, default=0)       # writes the server refused, kept for review
    oldest_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # how long the oldest has waited
    app_version: Mapped[str | None] = mapped_column(sa.String(32))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<DeviceReport {self.device_id} user={self.user_id} queued={self.queued} refused={self.refused}>"
