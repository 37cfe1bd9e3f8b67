"""Acceptance (issue 10): a variance approved twice at the same moment posts exactly one adjustment.

Real threads, each with its own connection and write transaction, on a fresh committed database; each waits for
the other just before its decision (a rendezvous), so on PostgreSQL both updates are in flight together."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.factories import make_actor, make_item, make_location, make_stock, make_user

pytestmark = pytest.mark.slow

RENDEZVOUS_S = {"postgresql": 1.5, "sqlite": 0.2}


def test_double_approval_at_once_posts_one_adjustment(app, backend, monkeypatch):
    from server.auth.models import User
    from server.counts import services
    from server.counts.errors import VarianceDecided
    from server.counts.models import CountVariance, ItemClass
    from server.extensions import db
    from server.http import run_in_transaction
    from server.inventory.ledger_models import StockBalance, StockMove

    def setup():
        item, bin_ = make_item(value_cents=900), make_location()
        db.session.add(ItemClass(item_id=item.id, abc_class="A"))
        make_stock(item, bin_, 12)
        first, second = make_user(), make_user()
        task = services.create_task(bin_, actor=make_actor())
        services.record_count(task, item_code=item.sku, qty=9, actor=make_actor(first))
        recount_id = services.finish_task(task, actor=make_actor(first))["recount_task_id"]
        recount = db.session.get(type(task), recount_id)
        services.record_count(recount, item_code=item.sku, qty=9, actor=make_actor(second))
        services.finish_task(recount, actor=make_actor(second))
        variance = db.session.scalar(sa.select(CountVariance).where(CountVariance.task_id == recount_id))
        return variance.id, item.id, bin_.id, [make_user("supervisor").id, make_user("supervisor").id]
    variance_id, item_id, bin_id, bosses = run_in_transaction(setup)

    barrier, real_decide = threading.Barrier(2, timeout=RENDEZVOUS_S[backend]), services._decide

    def meeting_decide(*args, **kwargs):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:  # SQLite: the other cannot begin while this one writes
            pass
        return real_decide(*args, **kwargs)
    monkeypatch.setattr(services, "_decide", meeting_decide)
    outcomes = [None, None]

    def racer(n):
        with app.app_context():
            try:
                outcomes[n] = run_in_transaction(lambda: services.approve(
                    db.session.get(CountVariance, variance_id), actor=make_actor(db.session.get(User, bosses[n]))).id)
            except Exception as exc:  # noqa: BLE001 - the refusal is the outcome under test
                outcomes[n] = exc
            finally:
                db.session.remove()
    threads = [threading.Thread(target=racer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a racer hung"

    posted = [o for o in outcomes if isinstance(o, int)]
    assert len(posted) == 1 and sum(isinstance(o, VarianceDecided) for o in outcomes) == 1, outcomes
    adjustments = db.session.scalars(sa.select(StockMove).where(StockMove.ref_type == "count_variance",
                                                                StockMove.ref_id == variance_id)).all()
    assert [(m.id, m.qty) for m in adjustments] == [(posted[0], 3)]
    assert db.session.scalar(sa.select(sa.func.sum(StockBalance.qty)).where(
        StockBalance.item_id == item_id, StockBalance.location_id == bin_id)) == 9
