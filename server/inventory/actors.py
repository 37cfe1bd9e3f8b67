"""Who is acting in an /api request, as the ledger records it."""

from __future__ import annotations

from flask import g, request

from ..schemas import parse_instant
from .ledger import Actor


def actor_from_request() -> Actor:
    """The signed-in user, their device, and the device's scan time (X-Scanned-At, ISO 8601)."""
    raw = request.headers.get("X-Scanned-At")
    scanned_at = parse_instant(raw, field="X-Scanned-At") if raw else None
    return Actor(user_id=g.current_user_id, device_id=request.headers.get("X-Device-Id"), scanned_at=scanned_at)


def acting_user_name() -> str | None:
    """The signed-in user's name, for answers that show who wrote (no database read)."""
    return getattr(g.get("current_user"), "username", None)
