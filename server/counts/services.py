"""Count requests: ask for a bin (and item) to be counted. The counts issue schedules and works them."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..inventory.ledger import Actor
from .models import CountRequest, CountRequestReason, CountRequestStatus


def request_count(location, item, *, reason: CountRequestReason, note: str | None = None,
                  expected_qty: int | None = None, pick_task_id: int | None = None,
                  actor: Actor | None = None) -> CountRequest:
    """Ask for a count of `item` (None: everything) in `location`; an open request for the same bin and item
    is the one answered (one count settles both), with this note added."""
    item_id = item.id if item is not None else None
    open_one = db.session.scalar(sa.select(CountRequest).where(
        CountRequest.location_id == location.id, CountRequest.status == CountRequestStatus.OPEN,
        CountRequest.item_id.is_(None) if item_id is None else CountRequest.item_id == item_id)
        .order_by(CountRequest.id).limit(1))
    if open_one is not None:
        if note:
            open_one.note = "; ".join(filter(None, [open_one.note, note]))[:300]
        db.session.flush()
        return open_one
    request = CountRequest(location_id=location.id, item_id=item_id, reason=CountRequestReason(reason),
                           note=note[:300] if note else None, expected_qty=expected_qty, pick_task_id=pick_task_id,
                           requested_by=actor.user_id if actor else None)
    db.session.add(request)
    db.session.flush()
    return request
