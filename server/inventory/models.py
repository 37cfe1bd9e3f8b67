"""Warehouses, zones and locations (bins, docks, containers and the virtual outside world)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from .codes import CONTAINER_KINDS, LocationKind


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))

    def __repr__(self) -> str:
        return f"<Warehouse {self.code}>"


class Zone(Base):
    __tablename__ = "zones"
    __table_args__ = (sa.UniqueConstraint("warehouse_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"))
    code: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(120))

    warehouse: Mapped[Warehouse] = relationship()

    def __repr__(self) -> str:
        return f"<Zone {self.code}>"


class Location(Base):
    __tablename__ = "locations"
    __table_args__ = (
        sa.CheckConstraint("capacity_units IS NULL OR capacity_units > 0", name="capacity_positive"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warehouses.id"))
    zone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zones.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    # The code printed on the bin label, as printed; code_key is its upper-cased lookup form.
    code: Mapped[str] = mapped_column(sa.String(64))
    code_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[LocationKind] = mapped_column(enum_column(LocationKind, length=24))
    aisle: Mapped[int | None]
    bay: Mapped[int | None]
    level: Mapped[str | None] = mapped_column(sa.String(4))
    position: Mapped[int | None]
    # Floor coordinates in metres from the depot, for routing.
    x: Mapped[float | None]
    y: Mapped[float | None]
    pick_sequence: Mapped[int | None] = mapped_column(index=True)
    capacity_units: Mapped[int | None]
    pickable: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    blocked: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # quarantine / hold
    mixed_items_allowed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    zone: Mapped[Zone | None] = relationship()
    parent: Mapped[Location | None] = relationship(remote_side=[id])

    @property
    def is_virtual(self) -> bool:
        return self.kind == LocationKind.VIRTUAL

    @property
    def is_container(self) -> bool:
        return self.kind in CONTAINER_KINDS

    def __repr__(self) -> str:
        return f"<Location {self.code} {self.kind}>"
