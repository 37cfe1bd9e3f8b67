"""Safety stock and reorder point (../shared/reference/warehouse-ops.md §5): pure functions, one time bucket (days).

SS = z · √(L̄·σ_d² + d̄²·σ_L²) covers all three situations of the reference: with σ_L = 0 it is z·σ_d·√L̄
(demand varies, lead time fixed), with σ_d = 0 it is z·d̄·σ_L (lead time varies). z comes from the cycle
service level through the standard normal distribution. Units are whole: SS and ROP are rounded up, so the
buffer never falls short of the target (the reference's 54.1 → 55).
"""

from __future__ import annotations

import math
from statistics import NormalDist


def service_factor(service_level: float) -> float:
    """z for a cycle service level (the chance of not running out in one replenishment cycle), 0 < level < 1."""
    if not 0.0 < service_level < 1.0:
        raise ValueError("service level must lie strictly between 0 and 1")
    return NormalDist().inv_cdf(service_level)


def safety_stock_exact(*, service_level: float, daily_demand: float, demand_sd: float, lead_time: float,
                       lead_time_sd: float = 0.0) -> float:
    """Safety stock in (fractional) units; demand per day, lead time in days, independent variations."""
    z = service_factor(service_level)
    return z * math.sqrt(lead_time * demand_sd ** 2 + daily_demand ** 2 * lead_time_sd ** 2)


def safety_stock(**kwargs) -> int:
    """Safety stock in whole units, rounded up (never negative: a service level below 50 % buys no buffer)."""
    return max(0, math.ceil(round(safety_stock_exact(**kwargs), 9)))


def reorder_point(*, daily_demand: float, lead_time: float, safety_stock_units: int) -> int:
    """ROP = d̄·L̄ + SS in whole units: reorder when the inventory position is at or below it."""
    return math.ceil(round(daily_demand * lead_time, 9)) + safety_stock_units
