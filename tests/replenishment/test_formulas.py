"""Safety stock and reorder point against the worked examples of warehouse-ops.md §5."""

import math

import pytest

from server.replenishment.formulas import reorder_point, safety_stock, safety_stock_exact, service_factor


@pytest.mark.parametrize("level, z", [(0.90, 1.28), (0.95, 1.645), (0.975, 1.96), (0.98, 2.05), (0.99, 2.33),
                                      (0.999, 3.09)])
def test_service_factor_matches_the_reference_table(level, z):
    assert service_factor(level) == pytest.approx(z, abs=0.005)


def test_worked_example_both_vary():
    # d̄ = 20/day, σ_d = 6, L̄ = 5 days, σ_L = 1.5 days, 95 %: √1080 = 32.86, SS = 54.1 → 55, ROP = 155.
    args = dict(service_level=0.95, daily_demand=20, demand_sd=6, lead_time=5, lead_time_sd=1.5)
    assert safety_stock_exact(**args) == pytest.approx(1.645 * math.sqrt(1080), abs=0.05)
    assert safety_stock_exact(**args) == pytest.approx(54.1, abs=0.05)
    assert safety_stock(**args) == 55
    assert reorder_point(daily_demand=20, lead_time=5, safety_stock_units=55) == 155


def test_demand_varies_lead_time_fixed():
    # SS = z·σ_d·√L̄ = 1.645 · 6 · √5 = 22.07 → 23
    ss = safety_stock(service_level=0.95, daily_demand=20, demand_sd=6, lead_time=5)
    assert ss == 23
    assert reorder_point(daily_demand=20, lead_time=5, safety_stock_units=ss) == 123


def test_lead_time_varies_demand_fixed():
    # SS = z·d̄·σ_L = 1.645 · 20 · 1.5 = 49.35 → 50
    assert safety_stock_exact(service_level=0.95, daily_demand=20, demand_sd=0, lead_time=5,
                              lead_time_sd=1.5) == pytest.approx(49.35, abs=0.01)
    assert safety_stock(service_level=0.95, daily_demand=20, demand_sd=0, lead_time=5, lead_time_sd=1.5) == 50


def test_no_variation_means_no_safety_stock_and_a_bad_level_is_refused():
    assert safety_stock(service_level=0.99, daily_demand=3, demand_sd=0, lead_time=7) == 0
    assert reorder_point(daily_demand=3, lead_time=7, safety_stock_units=0) == 21
    with pytest.raises(ValueError):
        service_factor(1.0)
