"""Read-only look-ups of receipts for pages and reports (services.py holds receiving itself)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import Receipt, ReceiptLine, ReceiptStatus


def receipt_page(status: str | None, *, limit: int, offset: int) -> tuple[list[Receipt], int]:
    """Receipts newest first (all, or of one status) with lines and items loaded, and their total count."""
    stmt = (sa.select(Receipt).options(selectinload(Receipt.lines).selectinload(ReceiptLine.item))
            .order_by(Receipt.id.desc()))
    count = sa.select(sa.func.count()).select_from(Receipt)
    if status:
        stmt, count = stmt.where(Receipt.status == status), count.where(Receipt.status == status)
    return list(db.session.scalars(stmt.limit(limit).offset(offset))), db.session.scalar(count) or 0


def receipt_counts() -> dict[str, int]:
    """How many receipts there are of each status, by status code."""
    counts = dict(db.session.execute(sa.select(Receipt.status, sa.func.count()).group_by(Receipt.status)).all())
    return {status.value: counts.get(status, 0) for status in ReceiptStatus}


def receipt_progress(receipt: Receipt) -> dict:
    """Units received against units expected, over the whole receipt."""
    expected = sum(line.expected_qty for line in receipt.lines)
    received = sum(line.received_qty for line in receipt.lines)
    percent = min(100, round(100 * received / expected)) if expected else (100 if received else 0)
    return {"expected": expected, "received": received, "percent": percent}
