"""Replenishment parameters per item: lead time and service level in, safety stock and reorder point out."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class ReplenishmentParams(Base):
    __tablename__ = "replenishment_params"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    lead_time_days: Mapped[float] = mapped_column(default=7.0)
    lead_time_sd_days: Mapped[float] = mapped_column(default=0.0)
    service_level: Mapped[float] = mapped_column(default=0.95)  # the chance of not running out in a cycle
    # Computed from demand history (picks/shipments) by the replenishment service:
    daily_demand: Mapped[float | None]
    daily_demand_sd: Mapped[float | None]
    safety_stock: Mapped[int | None]
    reorder_point: Mapped[int | None]
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
