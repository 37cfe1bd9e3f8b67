"""Variance rules (issue 10): blind counts compared with the record at each count's ledger mark, tolerance per
class, the recount by another counter, the supervisor's approval posting exactly the delta through the ledger."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_actor, make_item, make_location, make_stock, make_user

pytestmark = pytest.mark.rollback


@pytest.fixture
def bin_(tx):
    return make_location()


def _class(item, cls):
    from server.counts.models import ItemClass
    from server.extensions import db
    db.session.add(ItemClass(item_id=item.id, abc_class=cls))
    db.session.flush()


def _balance(item, loc):
    from server.extensions import db
    from server.inventory.ledger_models import StockBalance
    return db.session.scalar(sa.select(sa.func.sum(StockBalance.qty)).where(
        StockBalance.item_id == item.id, StockBalance.location_id == loc.id)) or 0


def _variances(task):
    from server.counts.models import CountVariance
    from server.extensions import db
    return db.session.scalars(sa.select(CountVariance).where(CountVariance.task_id == task.id)).all()


def _count(task, user, item, qty):
    from server.counts import services
    services.record_count(task, item_code=item.sku, qty=qty, actor=make_actor(user))
    return services.finish_task(task, actor=make_actor(user))


def test_exact_count_posts_without_adjustment(bin_):
    from server.counts import services
    item = make_item(value_cents=500)
    make_stock(item, bin_, 10)
    task = services.create_task(bin_, reason="ad_hoc", actor=make_actor())
    out = _count(task, make_user(), item, 10)
    assert out["status"] == "posted" and task.status == "posted"
    [v] = _variances(task)
    assert (v.expected_qty, v.counted_qty, v.delta, v.status, v.adjustment_move_id) == (10, 10, 0, "within", None)


def test_within_tolerance_posts_the_small_difference(bin_):
    from server.counts import services
    item = make_item(value_cents=100)
    _class(item, "C")  # C: 5 % or 1 unit, up to 50.00
    make_stock(item, bin_, 40)
    task = services.create_task(bin_, item=item, reason="ad_hoc", actor=make_actor())
    assert _count(task, make_user(), item, 38)["status"] == "posted"  # 2 ≤ 5 % of 40
    [v] = _variances(task)
    assert v.status == "within" and v.delta == -2 and v.adjustment_move_id is not None
    assert _balance(item, bin_) == 38


def test_value_cap_sends_even_a_small_difference_to_recount(bin_):
    from server.counts import services
    item = make_item(value_cents=10_000)  # 100.00 a unit: over C's 50.00 cap
    _class(item, "C")
    make_stock(item, bin_, 40)
    task = services.create_task(bin_, item=item, reason="ad_hoc", actor=make_actor())
    assert _count(task, make_user(), item, 39)["status"] == "recount"
    assert _variances(task)[0].status == "recount" and _balance(item, bin_) == 40


def test_beyond_tolerance_goes_to_recount_by_another_user_then_approval(bin_):
    from server.counts import services
    from server.counts.errors import RecountExcluded
    item = make_item(value_cents=500)
    _class(item, "A")
    make_stock(item, bin_, 10)
    first, second = make_user(), make_user()
    task = services.create_task(bin_, reason="scheduled", actor=make_actor())
    out = _count(task, first, item, 8)
    assert out["status"] == "recount" and task.status == "recount"
    recount = services.next_task(make_actor(second))
    assert recount.id == out["recount_task_id"] and recount.reason == "recount"
    assert recount.excluded_user_id == first.id
    # The first counter is never given the recount, and is refused if they try it anyway.
    theirs = services.next_task(make_actor(first))
    assert theirs is None or theirs.id != recount.id
    with pytest.raises(RecountExcluded):
        services.record_count(recount, item_code=item.sku, qty=8, actor=make_actor(first))
    assert _count(recount, second, item, 8)["status"] == "approval"
    [v] = _variances(recount)
    assert (v.expected_qty, v.counted_qty, v.delta, v.status) == (10, 8, -2, "pending")
    assert _balance(item, bin_) == 10  # nothing posts before the approval
    move = services.approve(v, actor=make_actor(make_user("supervisor")))
    assert (move.kind, move.reason, move.qty, move.ref_type, move.ref_id) == ("count", "count_variance", 2,
                                                                                "count_variance", v.id)
    assert move.dst.code_key == "ADJUSTMENT" and _balance(item, bin_) == 8
    assert v.adjustment_move_id == move.id and recount.status == "posted"


def test_recount_within_tolerance_posts(bin_):
    from server.counts import services
    item = make_item(value_cents=500)
    _class(item, "A")
    make_stock(item, bin_, 10)
    out = _count(services.create_task(bin_, actor=make_actor()), make_user(), item, 7)
    recount = services.next_task(make_actor(make_user()))
    assert recount.id == out["recount_task_id"]
    assert _count(recount, make_user(), item, 10)["status"] == "posted" and _balance(item, bin_) == 10


def test_pick_between_count_and_approval_is_not_corrected_twice(bin_):
    from server.counts import services
    from server.inventory.codes import MoveKind, VirtualLocation
    from server.inventory.ledger import post_move, virtual
    item = make_item(value_cents=500)
    _class(item, "A")
    make_stock(item, bin_, 10)
    first, second = make_user(), make_user()
    out = _count(services.create_task(bin_, actor=make_actor()), first, item, 7)  # 3 missing
    recount = services.next_task(make_actor(second))
    services.record_count(recount, item_code=item.sku, qty=7, actor=make_actor(second))
    # A pick of 2 after the recount's entry, before its finish and the approval: the shelf now holds 5.
    post_move(kind=MoveKind.PICK, item=item, qty=2, src=bin_, dst=virtual(VirtualLocation.CUSTOMER),
              actor=make_actor(first))
    services.finish_task(recount, actor=make_actor(second))
    [v] = _variances(recount)
    assert (v.expected_qty, v.counted_qty, v.delta) == (10, 7, -3)
    services.approve(v, actor=make_actor(make_user("supervisor")))
    assert _balance(item, bin_) == 5  # 10 − 2 picked − 3 missing, not 10 − 2 − 5


def test_move_into_the_bin_during_the_count_is_taken_into_account(bin_):
    from server.counts import services
    from server.inventory.moves import adjust_stock
    item = make_item(value_cents=100)
    _class(item, "C")
    make_stock(item, bin_, 20)
    task = services.create_task(bin_, item=item, actor=make_actor())
    services.record_count(task, item_code=item.sku, qty=20, actor=make_actor(make_user()))
    adjust_stock(item_code=item.sku, location_code=bin_.code, delta=6, reason="found", actor=make_actor())
    assert services.finish_task(task, actor=make_actor(make_user()))["status"] == "posted"
    assert _variances(task)[0].delta == 0 and _balance(item, bin_) == 26


def test_two_counters_same_bin_keep_both_entries_and_disagreeing_goes_to_recount(bin_):
    from server.counts import services
    from server.counts.models import CountEntry
    from server.extensions import db
    item = make_item(value_cents=100)
    _class(item, "C")
    make_stock(item, bin_, 30)
    one, two = make_user(), make_user()
    task = services.create_task(bin_, actor=make_actor())
    services.record_count(task, item_code=item.sku, qty=30, actor=make_actor(one))
    services.record_count(task, item_code=item.sku, qty=20, actor=make_actor(two))
    out = services.finish_task(task, actor=make_actor(two))
    assert out["status"] == "recount"  # 20 alone would be far beyond; two different answers are never "within"
    entries = db.session.scalars(sa.select(CountEntry).where(CountEntry.task_id == task.id)).all()
    assert sorted((e.user_id, e.qty) for e in entries) == sorted([(one.id, 30), (two.id, 20)])


def test_two_counters_agreeing_post(bin_):
    from server.counts import services
    item = make_item(value_cents=100)
    _class(item, "C")
    make_stock(item, bin_, 30)
    task = services.create_task(bin_, actor=make_actor())
    services.record_count(task, item_code=item.sku, qty=30, actor=make_actor(make_user()))
    assert _count(task, make_user(), item, 30)["status"] == "posted"


def test_unexpected_item_and_uncounted_item(bin_):
    from server.counts import services
    held, stray = make_item(value_cents=100), make_item(value_cents=100)
    make_stock(held, bin_, 3)
    task = services.create_task(bin_, actor=make_actor())
    user = make_user()
    entry = services.record_count(task, item_code=stray.sku, qty=1, actor=make_actor(user))
    assert entry.unexpected
    services.finish_task(task, actor=make_actor(user))
    by_item = {v.item_id: (v.expected_qty, v.counted_qty) for v in _variances(task)}
    assert by_item == {held.id: (3, 0), stray.id: (0, 1)}


def test_empty_bin_confirmed_and_nothing_counted_refused(bin_):
    from server.counts import services
    from server.counts.errors import CountTaskClosed, NothingCounted
    task = services.create_task(bin_, actor=make_actor())
    user = make_actor(make_user())
    with pytest.raises(NothingCounted):
        services.finish_task(task, actor=user)
    services.confirm_empty(task, actor=user)
    assert services.finish_task(task, actor=user)["status"] == "posted"
    with pytest.raises(CountTaskClosed):
        services.record_count(task, item_code="X", qty=1, actor=user)


def test_reject_opens_another_recount_and_second_decision_refused(bin_):
    from server.counts import services
    from server.counts.errors import VarianceDecided
    item = make_item(value_cents=500)
    _class(item, "A")
    make_stock(item, bin_, 10)
    _count(services.create_task(bin_, actor=make_actor()), make_user(), item, 4)
    second = make_user()
    recount = services.next_task(make_actor(second))
    _count(recount, second, item, 4)
    [v] = _variances(recount)
    boss = make_actor(make_user("supervisor"))
    again = services.reject(v, actor=boss)
    assert again.reason == "recount" and again.excluded_user_id == second.id and recount.status == "recount"
    with pytest.raises(VarianceDecided):
        services.approve(v, actor=boss)
    assert _balance(item, bin_) == 10


def test_short_pick_request_becomes_a_task(bin_):
    from server.counts import services
    item = make_item()
    make_stock(item, bin_, 2)
    request = services.request_count(bin_, item, reason="short_pick", actor=make_actor())
    task = services.next_task(make_actor(make_user()))
    assert task.request_id == request.id and task.reason == "short_pick"
    _count(task, make_user(), item, 2)
    assert request.status == "done"


def test_classify_and_day_list(bin_):
    from server.counts import services
    from server.counts.models import CountTask, ItemClass
    from server.extensions import db
    from server.inventory.codes import MoveKind, VirtualLocation
    from server.inventory.ledger import post_move, virtual
    fast, slow = make_item(value_cents=1000), make_item(value_cents=10)
    make_stock(fast, bin_, 100)
    other = make_location()
    make_stock(slow, other, 5)
    post_move(kind=MoveKind.PICK, item=fast, qty=50, src=bin_, dst=virtual(VirtualLocation.CUSTOMER),
              actor=make_actor())
    counts = services.classify_items(actor=make_actor())
    assert sum(counts.values()) >= 2
    assert db.session.get(ItemClass, fast.id).abc_class == "A"
    assert db.session.get(ItemClass, slow.id).abc_class == "C"
    day_list = services.build_count_list(date(2026, 12, 1), target_minutes=600, actor=make_actor())
    listed = set(db.session.scalars(sa.select(CountTask.location_id).where(CountTask.count_list_id == day_list.id)))
    assert {bin_.id, other.id} <= listed
    # The same day again: both bins have open tasks, nothing is listed twice.
    again = services.build_count_list(date(2026, 12, 1), target_minutes=600, actor=make_actor())
    assert not set(db.session.scalars(sa.select(CountTask.location_id)
                                      .where(CountTask.count_list_id == again.id))) & {bin_.id, other.id}
