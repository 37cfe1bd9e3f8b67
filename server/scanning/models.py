"""The scan log: every scan and its outcome, refusals included (floor disputes start here)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class ScanLog(Base):
    __tablename__ = "scan_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    code: Mapped[str] = mapped_column(sa.String(512))
    kind: Mapped[str | None] = mapped_column(sa.String(16))       # what it resolved to
    outcome: Mapped[str] = mapped_column(sa.String(32))           # "ok" or the problem code
    # Where it was scanned ("pick", "pack", "count"...; null: a lookup through /api/scan) and, for a wrong scan
    # a screen caught itself (wrong bin, wrong item), what it expected: error scans per person and flow.
    screen: Mapped[str | None] = mapped_column(sa.String(16))
    expected: Mapped[str | None] = mapped_column(sa.String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<ScanLog {self.id} {self.code!r} {self.outcome}>"
