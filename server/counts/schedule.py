"""ABC classes recomputed on a schedule: a companion thread of the one job consumer (`flask jobs worker`).

Every CHECK_SECONDS it asks whether the classes are stale, i.e. the latest classification is older than
COUNT_CLASSIFY_HOURS (24) or there is none while active items exist, and if so reclassifies in one short
transaction of its own. A staleness check rather than a wall-clock time: a consumer that was down at the
planned hour catches up on start, and a restart never classifies twice. It is a thread of its own, so a
classification never holds up a print job beyond the few milliseconds of its write transaction.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from ..catalog.models import Item
from ..db import utcnow
from ..extensions import db
from ..http import run_in_transaction
from ..inventory.ledger import Actor
from ..jobs.companions import companion_thread, repeat
from .models import ItemClass
from .services import classify_items

log = logging.getLogger(__name__)

CHECK_SECONDS = 300.0  # how often the consumer looks; classes are due once a day


def classify_interval() -> timedelta:
    return timedelta(hours=float(current_app.config.get("COUNT_CLASSIFY_HOURS", 24)))


def classes_stale(now: datetime | None = None) -> bool:
    """True when the latest classification is older than the interval, or none exists and items do."""
    latest = db.session.scalar(sa.select(sa.func.max(ItemClass.computed_at)))
    if latest is None:
        return db.session.scalar(sa.select(Item.id).where(Item.active).limit(1)) is not None
    return latest <= (now or utcnow()) - classify_interval()


def classify_if_due(now: datetime | None = None) -> dict[str, int] | None:
    """Reclassify when stale (check and write in one transaction, so two callers do not both run it)."""
    def due_then_classify():
        if not classes_stale(now):
            return None
        return classify_items(actor=Actor(user_id=None, device_id="schedule"))

    return run_in_transaction(due_then_classify)


def _classify_and_log() -> None:
    result = classify_if_due()
    if result is not None:
        log.info("ABC classes recomputed: %s", result)


def run_forever(stop: threading.Event, *, check_seconds: float = CHECK_SECONDS) -> None:
    # release_session: no session (nor connection) held in the minutes between checks
    repeat(stop, _classify_and_log, every=check_seconds, log=log, failure="scheduled ABC classification failed",
           release_session=True)


def in_background(app: Flask):
    """Run the classification schedule in a thread while the block runs (the job consumer's process)."""
    return companion_thread(app, "count-classify", run_forever, join_seconds=30)
