"""Pick-route sequencing (server/picking/routing.py): pure, fast, hand-checked layouts."""

from __future__ import annotations

import itertools
import random

import pytest

from server.picking.routing import (Layout, exact_order, improve_order, largest_gap_order, layout_from_points,
                                    route_length, route_order, s_shape_order, stops_from_points)

TWO = Layout((0.0, 10.0), front_y=0.0, back_y=20.0)   # two aisles 10 apart, 20 long, depot at aisle 0's front


def brute_force(layout, stops):
    return min(route_length(layout, stops, p) for p in itertools.permutations(range(len(stops))))


def random_case(rng, aisles=None, n=None):
    layout = Layout.regular(aisles or rng.randint(2, 12), spacing=rng.choice([2.5, 3.0, 4.0]),
                            length=rng.choice([10.0, 20.0, 30.0]))
    stops = [(rng.randrange(len(layout.aisle_x)), round(rng.uniform(0, layout.back_y), 1))
             for _ in range(n or rng.randint(1, 12))]
    return layout, stops


def test_adjacent_aisles_at_the_middle_cost_a_walk_to_a_cross_aisle():
    # not straight through the rack (10), but down to a cross aisle and back up: 10 + 10 + 10
    assert TWO.distance((0.0, 10.0), (10.0, 10.0)) == 30.0
    assert TWO.distance((0.0, 18.0), (10.0, 17.0)) == 10.0 + 2.0 + 3.0      # via the back
    assert TWO.distance((0.0, 2.0), (10.0, 3.0)) == 10.0 + 2.0 + 3.0        # via the front
    assert TWO.distance((0.0, 2.0), (0.0, 17.0)) == 15.0                     # same aisle: straight along it
    assert TWO.distance(TWO.depot, (10.0, 0.0)) == 10.0                      # along the front cross aisle


def test_hand_checked_optimum_near_the_front_is_two_return_trips():
    stops = [(1, 5.0), (0, 5.0)]
    # depot -> (0,5): 5, -> (1,5): 10 + 10 via the front, -> depot: 10 + 5 = 40
    assert route_length(TWO, stops, exact_order(TWO, stops)) == 40.0
    assert route_length(TWO, stops, route_order(TWO, stops)) == 40.0


def test_hand_checked_optimum_near_the_back_is_a_traversal():
    stops = [(1, 15.0), (0, 15.0)]
    # up aisle 0 (15), across the back (5 + 10 + 5), down aisle 1 (15), home along the front (10) = 60
    assert route_length(TWO, stops, route_order(TWO, stops)) == 60.0
    assert route_order(TWO, stops) in ([1, 0], [0, 1])


def test_hand_checked_three_aisles_with_a_deep_pick_in_the_middle():
    layout = Layout.regular(3, spacing=5.0, length=20.0)  # aisles at 0, 5, 10
    stops = [(2, 2.0), (1, 19.0), (0, 1.0)]
    best = brute_force(layout, stops)
    # the hand-computed optimum: depot, (0,1) 1, -> (1,19): 5 + min(20, 20) = 25, -> (2,2): 5 + min(21, 19) = 24,
    # -> depot: 10 + 2 = 12, total 62
    assert best == 62.0
    assert route_length(layout, stops, route_order(layout, stops)) == best
    assert route_length(layout, stops, exact_order(layout, stops)) == best


def test_s_shape_order_serpentines_and_returns_in_an_odd_last_aisle():
    layout = Layout.regular(4, spacing=3.0, length=20.0)
    stops = [(0, 12.0), (0, 3.0), (1, 4.0), (1, 15.0), (3, 5.0), (3, 9.0)]
    order = s_shape_order(layout, stops)
    assert order == [1, 0, 3, 2, 4, 5]            # up aisle 0, down aisle 1, the last (third) aisle up and back
    assert sorted(largest_gap_order(layout, stops)) == list(range(len(stops)))


def test_every_route_visits_every_stop_exactly_once():
    rng = random.Random(1)
    for _ in range(100):
        layout, stops = random_case(rng, n=rng.randint(0, 30))
        for order in (route_order(layout, stops), s_shape_order(layout, stops), largest_gap_order(layout, stops)):
            assert sorted(order) == list(range(len(stops)))


def test_never_longer_than_s_shape_on_random_cases():
    rng = random.Random(2)
    for _ in range(150):
        layout, stops = random_case(rng, n=rng.randint(1, 40))
        ours = route_length(layout, stops, route_order(layout, stops))
        assert ours <= route_length(layout, stops, s_shape_order(layout, stops)) + 1e-9


def test_matches_the_exact_optimum_on_small_random_cases():
    rng = random.Random(3)
    worst = 1.0
    for _ in range(60):
        layout, stops = random_case(rng, n=rng.randint(1, 7))
        best = route_length(layout, stops, exact_order(layout, stops))
        assert best == pytest.approx(brute_force(layout, stops)) if len(stops) <= 6 else True
        ours = route_length(layout, stops, route_order(layout, stops))
        assert ours == pytest.approx(best)   # up to 9 places route_order is exact
        heuristic = route_length(layout, stops, route_order(layout, stops, exact_up_to=0))
        assert heuristic >= best - 1e-9
        worst = max(worst, heuristic / best if best else 1.0)
    assert worst <= 1.10


def test_lines_at_the_same_place_are_picked_together():
    layout = Layout.regular(6)
    stops = [(4, 7.0), (1, 3.0), (4, 7.0), (2, 15.0), (1, 3.0)] * 3
    order = route_order(layout, stops)
    assert sorted(order) == list(range(len(stops)))
    places = [stops[i] for i in order]
    runs = [p for k, p in enumerate(places) if k == 0 or p != places[k - 1]]
    assert len(runs) == 3


def test_improve_never_lengthens_the_given_order():
    rng = random.Random(4)
    for _ in range(50):
        layout, stops = random_case(rng, n=rng.randint(1, 20))
        given = list(range(len(stops)))
        better = improve_order(layout, stops, given)
        assert sorted(better) == given
        assert route_length(layout, stops, better) <= route_length(layout, stops, given) + 1e-9


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        TWO.point((2, 5.0))
    with pytest.raises(ValueError):
        TWO.point((0, 25.0))
    with pytest.raises(ValueError):
        Layout((0.0,), front_y=5.0, back_y=5.0)
    with pytest.raises(ValueError):
        exact_order(TWO, [(0, 1.0)] * 20)


def test_empty_and_single_stop():
    assert route_order(TWO, []) == []
    assert route_length(TWO, [], []) == 0.0
    assert route_length(TWO, [(1, 4.0)], route_order(TWO, [(1, 4.0)])) == 2 * (10.0 + 4.0)


def test_layout_and_stops_from_location_coordinates():
    # demo-like coordinates: aisles 3 m apart starting at x = 3, bays 1.2 m apart, depot at (0, 0)
    points = [(3.0 * a, 1.2 * b) for a in (1, 2, 3) for b in (1, 5, 10)]
    layout = layout_from_points(points)
    assert layout.aisle_x == (3.0, 6.0, 9.0)
    assert layout.front_y == 0.0 and layout.back_y == pytest.approx(13.2)
    assert layout.depot == (0.0, 0.0)
    stops = stops_from_points(layout, [(6.1, 6.0), (3.0, 1.2)])
    assert stops == [(1, 6.0), (0, 1.2)]
    # depot -> (3, 1.2): 3 + 1.2; -> (6, 6): 3 + 1.2 + 6 via the front; -> depot: 6 + 6 = 26.4
    assert route_length(layout, stops, route_order(layout, stops)) == pytest.approx(26.4)
