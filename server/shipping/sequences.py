"""Serial numbers we issue ourselves (SSCCs, the local carrier's tracking numbers): one row per series."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db import claim_write_lock
from ..extensions import db
from .models import TrackingSequence


def next_serial(series: str) -> int:
    """Take the next value of the series, in the caller's transaction (a gap when it rolls back, never a
    repeat): the row is created if missing, then locked (FOR UPDATE; SQLite: the write lock)."""
    claim_write_lock(db.session)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(TrackingSequence).values(carrier=series, next_value=1)
                       .on_conflict_do_nothing(index_elements=["carrier"]))
    row = db.session.execute(sa.select(TrackingSequence).where(TrackingSequence.carrier == series)
                             .with_for_update().execution_options(populate_existing=True)).scalar_one()
    value = row.next_value
    row.next_value = value + 1
    db.session.flush()
    return value


def take_serials(series: str, count: int) -> range:
    """Take `count` consecutive values of the series at once (a bulk writer: the demo's history)."""
    first = next_serial(series)
    if count > 1:
        db.session.execute(sa.update(TrackingSequence).where(TrackingSequence.carrier == series)
                           .values(next_value=TrackingSequence.next_value + (count - 1)))
    return range(first, first + count)
