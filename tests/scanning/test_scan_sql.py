"""SQL statements per POST /api/scan (issue 6, D): one query resolves any code, one INSERT logs it.

What an item scan by GTIN costs, on both databases, once the bearer token is cached (server/auth):
  1. BEGIN IMMEDIATE (SQLite) / SET LOCAL synchronous_commit = off (PostgreSQL): the scan's one transaction
  2. the SELECT that looks the code up as location, item, barcode, order and badge at once
  3. the INSERT of the scan log row
The answer is built from the rows that SELECT returned: no re-reads.
"""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from tests.scanning.test_scan_api import (  # noqa: F401  (fixtures)
    CASE_GTIN14, CHANNEL_ORDER_ID, FLOOR, GS, GTIN13, SSCC, UPC_A, picker,
)


@contextlib.contextmanager
def recorded_statements(engine):
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):
        seen.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def scan_statements(client, engine, code: str) -> list[str]:
    """The statements one scan issues after authentication (the token check is server/auth's share)."""
    with recorded_statements(engine) as seen:
        client.scan(code)
    auth = [i for i, s in enumerate(seen) if "api_tokens" in s]
    return seen[auth[-1] + 1:] if auth else seen


def selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.upper().startswith(("SELECT", "WITH"))]


@pytest.mark.parametrize("code", [GTIN13, UPC_A, CASE_GTIN14, "]C1" + "01" + GTIN13.zfill(14) + "10" + "L1"],
                         ids=["gtin-13", "upc-a", "case-gtin-14", "gs1-label"])
def test_item_scan_by_gtin_is_at_most_three_statements(picker, floor, db, code):
    picker.scan(code)  # warm: token cache, pooled connection, its SQLite synchronous level
    statements = scan_statements(picker, db.engine, code)
    assert len(statements) <= 3, statements
    assert len(selects(statements)) == 1, statements
    assert [s for s in statements if s.upper().startswith("INSERT")] == [
        s for s in statements if "INSERT INTO scan_logs" in s] != []


@pytest.mark.parametrize("code", ["NO-SUCH-THING", "4006381333931", "A-01-1", "tote-7", "wid-100",
                                  CHANNEL_ORDER_ID, "ORD-1", "00" + SSCC, "01" + "09501101530003"],
                         ids=["unknown", "unknown-gtin", "location", "tote", "sku", "order", "order-no",
                              "sscc", "unknown-gs1"])
def test_any_code_is_resolved_by_one_query(picker, floor, db, code):
    picker.scan(code)
    statements = scan_statements(picker, db.engine, code)
    assert len(selects(statements)) == 1, statements
    assert len(statements) <= 3, statements


def test_badge_scan_is_one_query(picker, users, floor, db):
    badge = users["packer"].badge_code
    picker.scan(badge)
    assert len(selects(scan_statements(picker, db.engine, badge))) == 1


@pytest.mark.parametrize("code", ["]C1" + "01" + "12345", "]C1" + "10" + "LOT-1" + GS + "400" + "PO-7"],
                         ids=["malformed", "no-key-ai"])
def test_gs1_without_anything_to_look_up_costs_no_query(picker, floor, db, code):
    picker.scan(code)
    assert selects(scan_statements(picker, db.engine, code)) == []
