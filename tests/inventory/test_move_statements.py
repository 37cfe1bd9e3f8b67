"""The inventory layer's share of one move's SQL statements (issue 6, D); tests/test_sql_counts.py counts
the whole request."""

from __future__ import annotations

import sqlalchemy as sa

from server.http import run_in_transaction
from tests.inventory.test_moves_api import FLOOR  # noqa: F401  (the floor plan of the `floor` fixture)


def test_a_move_costs_six_statements_in_the_inventory_layer(app, db, floor):
    """item · both locations · INSERT … SELECT destination rows · SELECT … FOR UPDATE · UPDATE · INSERT."""
    from server.inventory.ledger import Actor
    from server.inventory.moves import move_stock

    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "SET ")):
            seen.append(statement)  # the transaction's own statements belong to the HTTP layer's count

    def move(code: str):
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            return move_stock(item_code=code, qty=1, from_code="A-01-01", to_code="A-01-02", lot=None,
                              actor=Actor(user_id=None))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)

    for code in ("4006381333931", "SKU-1001"):  # by GTIN and by SKU alike
        seen.clear()
        moved = run_in_transaction(move, code)
        assert len(moved) == 1
        assert len(seen) <= 6, "\n".join(s.split("\n")[0][:120] for s in seen)
        assert sum(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in seen) == 3
