"""Batch selection (server/picking/selection.py): pure, constructed layouts, no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from server.picking.routing import Layout, route_length, route_order, stops_from_points
from server.picking.selection import LOOK_AHEAD, TIE_WINDOW, Candidate, choose_batch

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
TODAY = datetime(2026, 6, 10, 23, 59, 59, tzinfo=UTC)
TOMORROW = TODAY + timedelta(days=1)
LAYOUT = Layout.regular(20, spacing=3.0, length=20.0)   # aisles at x = 0, 3, ..., 57; depot at (0, 0)


def cand(order_id, ship_by, *points, ordered_minutes=0, units=1):
    ordered_at = NOW - timedelta(hours=5) + timedelta(minutes=ordered_minutes)
    return Candidate(order_id=order_id, ship_by=ship_by, ordered_at=ordered_at, units=units, points=tuple(points))


def walk(layout, candidates, ids):
    """The real route length (routing.route_order) of the chosen orders' points."""
    by_id = {c.order_id: c for c in candidates}
    points = [p for i in ids for p in by_id[i].points]
    stops = stops_from_points(layout, points)
    return route_length(layout, stops, route_order(layout, stops))


def test_fifo_takes_the_oldest_orders_whatever_their_deadline_or_place():
    cands = [cand(1, TOMORROW, (3, 5), ordered_minutes=30), cand(2, TODAY, (57, 19), ordered_minutes=20),
             cand(3, TODAY, (3, 5), ordered_minutes=10), cand(4, None, (3, 5), ordered_minutes=10)]
    assert choose_batch(cands, size=3, now=NOW, policy="fifo") == [3, 4, 2]


def test_every_order_due_before_the_marginal_deadline_goes_in_however_far_away():
    far_and_urgent = [cand(i, TODAY - timedelta(hours=i), (57, 19)) for i in (1, 2, 3)]
    near_and_later = [cand(10 + i, TOMORROW, (0, 1 + i / 10), ordered_minutes=i) for i in range(20)]
    chosen = choose_batch(far_and_urgent + near_and_later, size=5, now=NOW, layout=LAYOUT)
    assert chosen[:3] == [3, 2, 1]                       # most urgent first: overdue-most first
    assert len(chosen) == 5 and set(chosen[3:]) <= {10 + i for i in range(20)}


def test_among_orders_due_together_it_takes_the_ones_that_add_least_walking():
    seed = cand(1, TODAY, (30, 10), ordered_minutes=0)
    far = [cand(10 + i, TODAY, (57, 19), ordered_minutes=1 + i) for i in range(5)]         # older, far away
    near = [cand(20 + i, TODAY, (30, 10 + i), ordered_minutes=10 + i) for i in range(5)]   # younger, by the seed
    cands = [seed, *far, *near]
    chosen = choose_batch(cands, size=4, now=NOW, layout=LAYOUT)
    assert chosen == [1, 20, 21, 22]
    pure_ship_by = [1, 10, 11, 12]
    assert walk(LAYOUT, cands, chosen) < walk(LAYOUT, cands, pure_ship_by)


def test_on_random_layouts_the_walk_per_batch_is_shorter_than_pure_ship_by_order():
    rng = random.Random(8)
    ours = plain = 0.0
    for _ in range(30):
        layout = Layout.regular(rng.randint(10, 30), spacing=3.0, length=rng.choice([15.0, 30.0]))
        xs = layout.aisle_x
        cands = [cand(i, TODAY + timedelta(days=rng.randint(0, 1)), ordered_minutes=rng.randint(0, 600),
                      *[(rng.choice(xs), rng.uniform(0, layout.back_y)) for _ in range(rng.randint(1, 3))])
                 for i in range(60)]
        chosen = choose_batch(cands, size=8, now=NOW, layout=layout)
        ranked = sorted(cands, key=lambda c: (c.ship_by, c.ordered_at, c.order_id))
        assert [c.order_id for c in ranked[:8] if c.ship_by < ranked[7].ship_by] == \
            [i for i in chosen if next(c for c in cands if c.order_id == i).ship_by < ranked[7].ship_by]
        ours += walk(layout, cands, chosen)
        plain += walk(layout, cands, [c.order_id for c in ranked[:8]])
    assert ours < 0.8 * plain


def test_a_due_soon_deadline_is_never_traded_for_a_slightly_later_shorter_walk():
    due_soon = NOW + timedelta(hours=1)
    cands = [cand(1, due_soon, (57, 19)), cand(2, due_soon, (30, 10)),
             cand(3, due_soon + timedelta(minutes=1), (57, 19))]        # a minute later, in the seed's bin
    assert choose_batch(cands, size=2, now=NOW, layout=LAYOUT) == [1, 2]
    # the same deadlines tomorrow are not due soon: a minute apart counts as due together
    later = [cand(1, TOMORROW, (57, 19)), cand(2, TOMORROW, (30, 10)),
             cand(3, TOMORROW + TIE_WINDOW - timedelta(minutes=59), (57, 19))]
    assert choose_batch(later, size=2, now=NOW, layout=LAYOUT) == [1, 3]
    beyond = [*later[:2], cand(3, TOMORROW + TIE_WINDOW + timedelta(seconds=1), (57, 19))]
    assert choose_batch(beyond, size=2, now=NOW, layout=LAYOUT) == [1, 2]


def test_only_the_most_urgent_few_batches_worth_compete_for_a_place():
    size = 4
    seed = cand(0, TODAY, (0, 1))
    far = [cand(i, TODAY, (30 + 3 * (i % 10), 19), ordered_minutes=i) for i in range(1, LOOK_AHEAD * size)]
    in_the_seeds_bin = cand(999, TODAY, (0, 1), ordered_minutes=LOOK_AHEAD * size)   # the youngest
    assert 999 not in choose_batch([seed, *far, in_the_seeds_bin], size=size, now=NOW, layout=LAYOUT)
    assert 999 in choose_batch([seed, *far[:-1], in_the_seeds_bin], size=size, now=NOW, layout=LAYOUT)


def test_sizes_empty_input_and_orders_without_deadline_or_points():
    cands = [cand(1, TODAY, (3, 3)), cand(2, None, (3, 4)), cand(3, TOMORROW)]
    assert choose_batch([], size=8, now=NOW) == []
    assert choose_batch(cands, size=8, now=NOW) == [1, 3, 2]          # everything fits: by rank
    assert choose_batch(cands, size=1, now=NOW) == [1]
    assert choose_batch(cands, size=2, now=NOW) == [1, 3]
    assert choose_batch([cand(1, TODAY), cand(2, TODAY)], size=1, now=NOW) == [1]   # no points at all
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError):
            choose_batch(cands, size=bad, now=NOW)
    with pytest.raises(ValueError):
        choose_batch(cands, size=2, now=NOW, policy="shortest")
    with pytest.raises(ValueError):
        choose_batch(cands, size=2, now=NOW.replace(tzinfo=None))


def test_ties_are_deterministic_whatever_the_input_order():
    rng = random.Random(3)
    # identical deadlines, purchase times and places: only the order id can decide
    cands = [cand(i, TODAY, (rng.choice([6, 9, 12]), 5)) for i in range(40)]
    by_ship_by, by_fifo = set(), set()
    for _ in range(5):
        rng.shuffle(cands)
        by_ship_by.add(tuple(choose_batch(cands, size=6, now=NOW, layout=LAYOUT)))
        by_fifo.add(tuple(choose_batch(cands, size=6, now=NOW, policy="fifo")))
    assert by_fifo == {(0, 1, 2, 3, 4, 5)}
    [chosen] = by_ship_by
    assert chosen[0] == 0 and list(chosen) == sorted(chosen)   # the seed, then by rank


def test_without_a_layout_it_infers_one_from_the_points():
    seed = cand(1, TODAY, (30, 10))
    others = [cand(10, TODAY, (57, 19), ordered_minutes=1), cand(11, TODAY, (30, 12), ordered_minutes=2)]
    assert choose_batch([seed, *others], size=2, now=NOW) == [1, 11]
