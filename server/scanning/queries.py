"""Read-only look-ups of the scan log for reports."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from .models import ScanLog


def scan_rows(since: datetime, until: datetime) -> sa.Select:
    """The scan log's rows of [since, until) as (user_id, at, scans, errors) — a SELECT for reports to aggregate.

    Counted once per scan a person made: a row written by POST /api/scan (expected is NULL) is one scan; a
    refusal a screen logged itself (POST /api/scans/refusals: expected set) is one error, and a scan only when
    the screen judged it offline (kind NULL): with a kind, /api/scan resolved the same code and its row,
    outcome "ok", is that scan already. errors: every row whose outcome is not "ok".
    """
    screen_refusal = ScanLog.expected.is_not(None)
    return (sa.select(ScanLog.user_id.label("user_id"), ScanLog.at.label("at"),
                      sa.case((sa.and_(screen_refusal, ScanLog.kind.is_not(None)), 0), else_=1).label("scans"),
                      sa.case((ScanLog.outcome == "ok", 0), else_=1).label("errors"))
            .where(ScanLog.user_id.is_not(None), ScanLog.at >= since, ScanLog.at < until))
