"""The ledger's invariant under any sequence of writes: the movements explain every balance.

Hypothesis plays bounded random sequences of receipts, put-aways, moves, adjustments and reversals
through the services (each its own committed step, refused ones included) on a small floor, in the
rolled-back tier. After each sequence, for every (item, location, lot): the sum of the movements in
minus out equals the balance, no balance is negative, and the balances are exactly what the accepted
movements said (a model kept beside the database).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.errors import DomainError
from server.http import run_in_transaction
from tests import factories

LOTS = ("L1", "L2")
BINS = 3
QTY = st.integers(1, 5)

receive = st.tuples(st.just("receive"), st.integers(0, 1), QTY, st.sampled_from(LOTS))
putaway = st.tuples(st.just("putaway"), st.integers(0, 1), QTY, st.integers(0, BINS - 1),
                    st.sampled_from(LOTS))
move = st.tuples(st.just("move"), st.integers(0, 1), QTY, st.integers(0, BINS), st.integers(0, BINS),
                 st.sampled_from((*LOTS, None)))
adjust = st.tuples(st.just("adjust"), st.integers(0, 1), st.one_of(QTY, QTY.map(lambda q: -q)), st.integers(0, BINS),
                   st.sampled_from(LOTS))
reverse = st.tuples(st.just("reverse"), st.integers(0, 50))
SEQUENCES = st.lists(st.one_of(receive, putaway, move, adjust, reverse), min_size=1, max_size=25)


def _floor():
    """A dock and three bins holding a lot-tracked item (lots L1, L2) and a plain one, all with codes of
    their own (earlier examples' rows stay in the test's transaction); → places, SKUs, a receipt, the
    opening movements."""
    zone = factories.make_zone()
    dock = factories.make_location(kind="dock")
    bins = [factories.make_location(zone=zone, pick_sequence=n) for n in range(BINS)]
    yoghurt, mug = factories.make_item(name="Yoghurt", tracks_lot=True), factories.make_item(name="Mug")
    opening = []
    for loc in (*bins, dock):
        opening += factories.make_stock(mug, loc, 6)
        for lot in LOTS:
            opening += factories.make_stock(yoghurt, loc, 3, lot=lot)
    return ([loc.code for loc in (*bins, dock)], [yoghurt.sku, mug.sku],
            factories.make_receipt(blind=True).id, opening)


def _step(op, places, skus, receipt_id, made):
    """Run one write through its service; → the movements it posted."""
    from server.inventory.ledger import reverse_move
    from server.inventory.moves import adjust_stock, move_stock
    from server.receiving.putaway import confirm_putaway
    from server.receiving.services import get_receipt
    from server.receiving.services import receive as receive_stock

    actor = factories.make_actor()
    kind, n, *rest = op
    dock = places[-1]
    lot_of = (lambda lot: lot) if n == 0 else (lambda lot: None)  # only item 0 tracks lots
    if kind == "receive":
        qty, lot = rest
        return [receive_stock(get_receipt(receipt_id), code=skus[n], qty=qty, location_code=dock, actor=actor,
                              lot=lot_of(lot), expiry=date(2030, 1, 1))["movement"]]
    if kind == "putaway":
        qty, to, lot = rest
        return confirm_putaway(item_code=skus[n], qty=qty, from_code=dock, to_code=places[to], actor=actor,
                               lot=lot_of(lot), reason="other")
    if kind == "move":
        qty, src, dst, lot = rest
        return move_stock(item_code=skus[n], qty=qty, from_code=places[src], to_code=places[dst],
                          lot=lot_of(lot) if lot else None, actor=actor)
    if kind == "adjust":
        delta, where, lot = rest
        return adjust_stock(item_code=skus[n], location_code=places[where], delta=delta,
                            reason="found" if delta > 0 else "damaged", lot=lot_of(lot), actor=actor)
    from server.extensions import db
    from server.inventory.codes import reversal_reasons
    from server.inventory.ledger_models import StockMove
    if not made:
        return []
    original = db.session.get(StockMove, made[n % len(made)])
    return reverse_move(original, actor=actor, reason=reversal_reasons(original.kind)[-1])


def _ledger_sums() -> dict[tuple[int, int, str], int]:
    """Movements in minus out for every (item, physical location, lot)."""
    from server.extensions import db
    from server.inventory.ledger_models import StockMove
    from server.inventory.models import Location, LocationKind

    virtual = set(db.session.scalars(sa.select(Location.id).where(Location.kind == LocationKind.VIRTUAL)))
    sums: dict = defaultdict(int)
    for item_id, src, dst, lot, qty in db.session.execute(
            sa.select(StockMove.item_id, StockMove.src_id, StockMove.dst_id, StockMove.lot, StockMove.qty)):
        if dst not in virtual:
            sums[(item_id, dst, lot)] += qty
        if src not in virtual:
            sums[(item_id, src, lot)] -= qty
    return {k: v for k, v in sums.items() if v}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(ops=SEQUENCES)
def test_movements_sum_to_the_balances_after_any_sequence_of_writes(tx, ops):
    from server.inventory.ledger_models import StockBalance
    from server.inventory.queries import verify_ledger

    places, skus, receipt_id, opening = run_in_transaction(_floor)
    model: Counter = Counter()
    made: list[int] = []
    for op in [None, *ops]:
        try:
            moves = opening if op is None else run_in_transaction(_step, op, places, skus, receipt_id, made)
        except DomainError:
            continue  # refused (not enough stock, lot required, already reversed...): nothing booked
        for m in moves:
            made.append(m.id)
            if not m.src.is_virtual:
                model[(m.item.sku, m.src.code, m.lot)] -= m.qty
            if not m.dst.is_virtual:
                model[(m.item.sku, m.dst.code, m.lot)] += m.qty

    balances = {(b.item_id, b.location_id, b.lot): b.qty for b in tx.scalars(sa.select(StockBalance))}
    assert _ledger_sums() == {k: q for k, q in balances.items() if q}
    assert all(q >= 0 for q in balances.values()), balances
    assert verify_ledger() == []
    ours = {(b.item.sku, b.location.code, b.lot): b.qty for b in tx.scalars(sa.select(StockBalance))
            if b.item.sku in skus and b.qty}
    assert ours == {k: q for k, q in model.items() if q}
