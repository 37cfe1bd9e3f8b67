"""Rate shopping against worked examples computed by hand from a small card (below): dimensional weight that
beats the actual weight, surcharges (residential, oversize, fuel on top), transit in business days, and a
cheaper service that would miss the delivery promise and is therefore not the suggested one."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from server.orders.ship_by import WarehouseCalendar
from server.shipping.rates import Parcel, RateRequest, load_cards, price_card, quote_rates, rate_shop

pytestmark = pytest.mark.rollback

CARD = {
    "carrier": "ups", "currency": "USD", "units": "lb_in", "dim_divisor": 139, "countries": ["US"],
    "zones": {"43": {"9": "8", "*": "5"}, "10": {"*": "7"}},
    "surcharges": {"fuel_pct": 10, "residential_cents": 500, "oversize": {"longest_over": 48, "cents": 3000}},
    "services": [
        {"code": "ground", "name": "Ground", "transit_days": {"5": 3, "8": 5},
         "rates": [{"up_to": 1, "cents": {"5": 1000, "8": 1500}}, {"up_to": 5, "cents": {"5": 1400, "8": 2000}},
                   {"up_to": 10, "cents": {"5": 2000, "8": 2600}}]},
        {"code": "express", "name": "Express", "transit_days": {"5": 1, "8": 1},
         "rates": [{"up_to": 10, "cents": {"5": 4000, "8": 5000}}]},
    ],
}
CUBE_10_IN = dict(length_mm=254, width_mm=254, height_mm=254)
CAL = WarehouseCalendar()  # UTC, Saturday and Sunday off
MONDAY = date(2026, 12, 7)


def ground(parcels, dest="30301", residential=True):
    rates = price_card(CARD, RateRequest("43215", dest, "US", tuple(parcels), residential=residential))
    return next(r for r in rates if r.service == "ground")


def test_dimensional_weight_beats_actual_weight():
    # 1000 g = 2.2 lb; a 10 in cube: 1000 in³ / 139 = 7.19 lb → billed 8 lb → bracket ≤ 10 lb, zone 5: $20.00.
    # + residential $5.00 = $25.00; fuel 10 % = $2.50 → $27.50.
    rate = ground([Parcel(1000, **CUBE_10_IN)])
    assert (rate.zone, rate.billed_weight, rate.cents) == ("5", 8, 2750)
    assert any("dimensional weight 7.2 lb beats actual 2.2 lb" in r for r in rate.reasons)
    # Without dimensions: billed 3 lb → ≤ 5 lb bracket $14.00 + $5.00 = $19.00 + 10 % = $20.90.
    assert ground([Parcel(1000)]).cents == 2090


def test_oversize_and_residential_surcharges_then_fuel_on_top():
    # 50 in long (> 48): oversize $30.00; 50 × 4.02 × 4.02 / 139 = 5.8 → 6 lb → $20.00; business address.
    rate = ground([Parcel(1000, 1270, 102, 102)], residential=False)
    assert rate.cents == round((2000 + 3000) * 1.10)
    assert "oversize surcharge" in rate.reasons and "residential surcharge" not in rate.reasons


def test_several_parcels_add_up_and_a_zone_comes_from_the_longest_prefix():
    rate = ground([Parcel(400), Parcel(2000)], dest="90210")  # zone 8: 1 lb $15.00 + 5 lb $20.00 + $5.00
    assert (rate.zone, rate.billed_weight, rate.cents) == ("8", 1 + 5, round((1500 + 2000 + 500) * 1.10))


def test_too_heavy_or_unserved_gives_no_rate():
    assert [r.service for r in price_card(CARD, RateRequest("43215", "30301", "US", (Parcel(20_000),)))] == []
    assert price_card(CARD, RateRequest("43215", "30301", "CA", (Parcel(500),))) == []
    assert price_card(CARD, RateRequest("99999", "30301", "US", (Parcel(500),))) == []  # no table for the origin


def test_a_cheaper_service_that_misses_the_promise_is_not_suggested():
    rates = price_card(CARD, RateRequest("43215", "30301", "US", (Parcel(1000, **CUBE_10_IN),)))
    quotes = quote_rates(rates, ship_date=MONDAY, ship_by=MONDAY, deliver_by=date(2026, 12, 9), calendar=CAL)
    assert [(q.service, q.cents, q.delivery_date, q.meets_promise, q.suggested) for q in quotes] == [
        ("ground", 2750, date(2026, 12, 10), False, False),  # Monday + 3 business days = Thursday: late
        ("express", round((4000 + 500) * 1.10), date(2026, 12, 8), True, True)]
    assert any("after the promised 2026-12-09" in r for r in quotes[0].reasons)


def test_transit_skips_the_weekend_and_shipping_after_ship_by_breaks_the_promise():
    rates = price_card(CARD, RateRequest("43215", "30301", "US", (Parcel(1000),)))
    friday = date(2026, 12, 11)
    quotes = quote_rates(rates, ship_date=friday, ship_by=date(2026, 12, 10), deliver_by=None, calendar=CAL)
    assert quotes[0].delivery_date == date(2026, 12, 16)  # Friday + 3 business days = Wednesday
    assert not any(q.meets_promise or q.suggested for q in quotes)


def test_rate_shop_reads_the_configured_cards_and_the_order(app, monkeypatch, tmp_path):
    (tmp_path / "ups.json").write_text(json.dumps(CARD))
    monkeypatch.setitem(app.config, "RATECARDS", str(tmp_path))
    order = SimpleNamespace(ship_to_postal_code="30301", ship_to_country="US",
                            ship_by=datetime(2026, 12, 7, 23, 59, tzinfo=timezone.utc),
                            deliver_by=datetime(2026, 12, 9, 20, 0, tzinfo=timezone.utc))
    package = SimpleNamespace(number=1, weight_g=1000, **CUBE_10_IN)
    quotes = rate_shop(order, [package], ship_date=MONDAY)
    assert [(q.carrier, q.service, q.suggested) for q in quotes] == [("ups", "ground", False),
                                                                    ("ups", "express", True)]


def test_the_shipped_cards_load():
    cards = load_cards()
    assert {"local", "ups", "usps", "fedex"} <= set(cards)
