"""Writes of the devices domain: a handheld's report replaces its previous one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db import utcnow
from ..extensions import db
from .models import DeviceReport


def record_report(*, device_id: str, user_id: int, screen: str | None, batch: int | None, queued: int,
                  refused: int, oldest_queued_at: datetime | None, app_version: str | None) -> None:
    """Keep a handheld's latest report: one row per device, inserted or replaced in one statement."""
    # INSERT … ON CONFLICT DO UPDATE on both databases: two reports of one device racing each other cannot
    # both insert (the primary key), and the later one to commit is the row that stays.
    values = {"user_id": user_id, "screen": screen, "batch_id": batch, "queued": queued, "refused": refused,
              "oldest_queued_at": oldest_queued_at, "app_version": app_version, "reported_at": utcnow()}
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(DeviceReport.__table__).values(device_id=device_id, **values)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["device_id"],
                                                  set_={name: stmt.excluded[name] for name in values}))
