"""Scan log writes beside the one /api/scan makes itself: the refusals a handheld screen makes on its own."""

from __future__ import annotations

from ..db import utcnow
from ..extensions import db
from .models import ScanLog


def log_refusal(*, user_id: int, device_id: str | None, code: str, screen: str, expected: str, reason: str,
                kind: str | None) -> ScanLog:
    """Log a scan a screen refused after resolving it (wrong bin, wrong item...): an error scan of that person.

    `expected` is what makes the row a screen's refusal (server/dashboard/people.py counts scans by it); `kind`
    says /api/scan resolved the same code (and logged it "ok"), None that the screen judged it offline.
    """
    row = ScanLog(user_id=user_id, device_id=device_id, code=code, kind=kind, outcome=reason, screen=screen,
                  expected=expected, at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row
