"""Who is acting in an /api request, as the ledger records it."""

from __future__ import annotations

from datetime import datetime

from flask import g, request
from flask_babel import gettext as _

from ..errors import InvalidInput
from .ledger import Actor


def actor_from_request() -> Actor:
    """The signed-in user, their device, and the device's scan time (X-Scanned-At, ISO 8601)."""
    scanned_at = None
    raw = request.headers.get("X-Scanned-At")
    if raw:
        try:
            scanned_at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(_("X-Scanned-At must be an ISO 8601 time."), field="X-Scanned-At") from None
        if scanned_at.tzinfo is None:
            raise InvalidInput(_("X-Scanned-At needs a time zone offset."), field="X-Scanned-At")
    return Actor(user_id=g.current_user_id, device_id=request.headers.get("X-Device-Id"), scanned_at=scanned_at)


def acting_user_name() -> str | None:
    """The signed-in user's name, for answers that show who wrote (no database read)."""
    return getattr(g.get("current_user"), "username", None)
