"""Rate cards and the rate shop: which carrier service is cheapest and still keeps the order's promise.

A rate card (one JSON file per carrier in SHIPFLOOR_RATECARDS; format in docs/shipping.md) gives zones by
postal prefix (a table per ship-from prefix: destination prefix → zone, longest prefix wins, "*" for the
rest), and per service: prices per weight bracket and zone, transit business days per zone, surcharges
(fuel %, residential, oversize, per package). A package is billed on the larger of its actual and its
dimensional weight (L×W×H / the card's divisor), rounded up to a whole unit (lb or kg); the fuel
surcharge is a percentage of the base price plus the other surcharges. Pure arithmetic here; rate_shop()
reads the order and the packages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _

from ..errors import InvalidInput
from ..orders.ship_by import WarehouseCalendar, is_business_day, zone as time_zone

GRAMS_PER_LB = Decimal("453.59237")
UNITS = {"lb_in": (GRAMS_PER_LB, Decimal("25.4"), "lb", "in"), "kg_cm": (Decimal(1000), Decimal(10), "kg", "cm")}
DEFAULT_RATECARDS = Path(__file__).resolve().parent / "ratecards"


@dataclass(frozen=True)
class Parcel:
    weight_g: int
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None


@dataclass(frozen=True)
class RateRequest:
    origin_postal: str
    dest_postal: str
    dest_country: str
    parcels: tuple[Parcel, ...]
    residential: bool = True  # B2C orders: the channel does not say otherwise (docs/shipping.md)


@dataclass(frozen=True)
class Rate:
    carrier: str
    service: str
    service_name: str
    cents: int
    currency: str
    transit_days: int
    zone: str
    billed_weight: int          # summed over the parcels, in `unit`
    unit: str
    reasons: tuple[str, ...] = ()  # how the price came about, for the pack station


@dataclass(frozen=True)
class Quote(Rate):
    """A rate with its delivery day and whether it keeps the order's promise."""

    delivery_date: date | None = None
    meets_promise: bool = False
    suggested: bool = False


# --- cards -------------------------------------------------------------------------------------------

_cache: dict[str, tuple[tuple, dict[str, dict]]] = {}


def ratecard_folder() -> Path:
    if has_app_context():
        return Path(current_app.config.get("RATECARDS") or DEFAULT_RATECARDS)
    return DEFAULT_RATECARDS


def load_cards(folder: Path | None = None) -> dict[str, dict]:
    """carrier code → card, read again when a file in the folder changes."""
    folder = Path(folder or ratecard_folder())
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    stamp = tuple((f.name, f.stat().st_mtime_ns) for f in files)
    cached = _cache.get(str(folder))
    if cached and cached[0] == stamp:
        return cached[1]
    cards = {}
    for f in files:
        card = json.loads(f.read_text(encoding="utf-8"))
        check_card(card, f.name)
        cards[card["carrier"]] = card
    _cache[str(folder)] = (stamp, cards)
    return cards


def card_for(carrier: str) -> dict | None:
    return load_cards().get(carrier)


def check_card(card: dict, name: str = "card") -> None:
    """Refuse a card the arithmetic cannot use, naming the file: a typo must not price silently wrong."""
    for key in ("carrier", "currency", "units", "zones", "services"):
        if key not in card:
            raise ValueError(f"{name}: missing {key!r}")
    if card["units"] not in UNITS:
        raise ValueError(f"{name}: units must be one of {', '.join(UNITS)}")
    for service in card["services"]:
        for key in ("code", "name", "rates", "transit_days"):
            if key not in service:
                raise ValueError(f"{name}: service {service.get('code')!r} misses {key!r}")
        ups = [b["up_to"] for b in service["rates"]]
        if ups != sorted(ups):
            raise ValueError(f"{name}: service {service['code']}: brackets must rise")


def _longest_prefix(table: dict, key: str):
    best = None
    for prefix in table:
        if prefix != "*" and key.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return table[best] if best is not None else table.get("*")


def zone_of(card: dict, origin_postal: str, dest_postal: str) -> str | None:
    origin = _longest_prefix(card["zones"], _postal(origin_postal))
    if origin is None:
        return None
    found = _longest_prefix(origin, _postal(dest_postal))
    return None if found is None else str(found)


def _postal(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


# --- pricing -----------------------------------------------------------------------------------------

def _cents(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def billed_weight(card: dict, parcel: Parcel) -> tuple[int, Decimal, Decimal]:
    """(billed whole units, actual weight, dimensional weight) of one parcel in the card's units."""
    per_weight, per_length, _w, _l = UNITS[card["units"]]
    actual = Decimal(parcel.weight_g) / per_weight
    dims = (parcel.length_mm, parcel.width_mm, parcel.height_mm)
    dim = Decimal(0)
    if all(dims) and card.get("dim_divisor"):
        volume = math.prod(Decimal(d) / per_length for d in dims)
        dim = volume / Decimal(str(card["dim_divisor"]))
    return max(1, math.ceil(max(actual, dim))), actual, dim


def _oversize(rule: dict | None, card: dict, parcel: Parcel) -> bool:
    if not rule or not all((parcel.length_mm, parcel.width_mm, parcel.height_mm)):
        return False
    per_length = UNITS[card["units"]][1]
    sides = sorted((Decimal(d) / per_length for d in (parcel.length_mm, parcel.width_mm, parcel.height_mm)),
                   reverse=True)
    length_plus_girth = sides[0] + 2 * (sides[1] + sides[2])
    return (("longest_over" in rule and sides[0] > Decimal(str(rule["longest_over"])))
            or ("length_plus_girth_over" in rule and length_plus_girth > Decimal(str(rule["length_plus_girth_over"]))))


def price_card(card: dict, request: RateRequest) -> list[Rate]:
    """A Rate per service of the card that serves the destination and takes every parcel."""
    if request.dest_country.upper() not in card.get("countries", ["US"]):
        return []
    zone = zone_of(card, request.origin_postal, request.dest_postal)
    if zone is None:
        return []
    unit = UNITS[card["units"]][2]
    rates = []
    for service in card["services"]:
        rate = _price_service(card, service, zone, unit, request)
        if rate is not None:
            rates.append(rate)
    return rates


def _price_service(card: dict, service: dict, zone: str, unit: str, request: RateRequest) -> Rate | None:
    transit = service["transit_days"].get(zone)
    if transit is None:
        return None
    surcharges = {**card.get("surcharges", {}), **service.get("surcharges", {})}
    base = extra = Decimal(0)
    billed_total, reasons = 0, []
    for parcel in request.parcels:
        billed, actual, dim = billed_weight(card, parcel)
        bracket = next((b for b in service["rates"] if billed <= b["up_to"]), None)
        if bracket is None or zone not in bracket["cents"]:
            return None  # too heavy for this service, or no price for the zone
        base += bracket["cents"][zone]
        billed_total += billed
        if dim > actual and math.ceil(dim) > math.ceil(actual):
            reasons.append(_("dimensional weight %(dim)s %(unit)s beats actual %(actual)s %(unit)s",
                             dim=f"{dim:.1f}", actual=f"{actual:.1f}", unit=unit))
        extra += surcharges.get("per_package_cents", 0)
        if _oversize(surcharges.get("oversize"), card, parcel):
            extra += surcharges["oversize"]["cents"]
            reasons.append(_("oversize surcharge"))
    if request.residential and surcharges.get("residential_cents"):
        extra += surcharges["residential_cents"]
        reasons.append(_("residential surcharge"))
    subtotal = base + extra
    fuel = subtotal * Decimal(str(surcharges.get("fuel_pct", 0))) / 100
    if fuel:
        reasons.append(_("fuel surcharge %(pct)s %%", pct=surcharges["fuel_pct"]))
    return Rate(card["carrier"], service["code"], service["name"], _cents(subtotal + fuel), card["currency"],
                int(transit), zone, billed_total, unit, tuple(reasons))


# --- the rate shop -----------------------------------------------------------------------------------

def add_business_days(day: date, n: int, calendar: WarehouseCalendar) -> date:
    while n > 0:
        day += timedelta(days=1)
        if is_business_day(day, calendar.non_working_weekdays, calendar.holidays):
            n -= 1
    return day


def _calendar() -> WarehouseCalendar:
    return WarehouseCalendar.from_config(current_app.config)


def local_date(moment, calendar: WarehouseCalendar) -> date:
    return moment.astimezone(time_zone(calendar.timezone)).date()


def default_ship_date(calendar: WarehouseCalendar | None = None) -> date:
    """Today in the warehouse, or its next business day when today is not one."""
    from ..db import utcnow
    calendar = calendar or _calendar()
    day = local_date(utcnow(), calendar)
    while not is_business_day(day, calendar.non_working_weekdays, calendar.holidays):
        day += timedelta(days=1)
    return day


def parcels_of(packages: Sequence) -> tuple[Parcel, ...]:
    parcels = []
    for package in packages:
        if not package.weight_g:
            raise InvalidInput(_("Package %(n)d has no weight: weigh it first.", n=package.number),
                               field="weight_g", expected="the package's weight in grams")
        parcels.append(Parcel(package.weight_g, package.length_mm, package.width_mm, package.height_mm))
    return tuple(parcels)


def quote_rates(rates: Sequence[Rate], *, ship_date: date, ship_by: date | None, deliver_by: date | None,
                calendar: WarehouseCalendar) -> list[Quote]:
    """Rates → quotes, cheapest first (then fastest); the suggested one is the cheapest that keeps the promise:
    ships by the order's ship-by day and arrives by its deliver-by day when it has one."""
    quotes = []
    for rate in rates:
        delivery = add_business_days(ship_date, rate.transit_days, calendar)
        reasons = list(rate.reasons)
        meets = True
        if ship_by is not None and ship_date > ship_by:
            meets = False
            reasons.append(_("ships after the ship-by day %(day)s", day=ship_by.isoformat()))
        if deliver_by is not None and delivery > deliver_by:
            meets = False
            reasons.append(_("arrives %(day)s, after the promised %(promise)s", day=delivery.isoformat(),
                             promise=deliver_by.isoformat()))
        fields = {**vars(rate), "reasons": tuple(reasons)}
        quotes.append(Quote(**fields, delivery_date=delivery, meets_promise=meets))
    quotes.sort(key=lambda q: (q.cents, q.transit_days, q.carrier, q.service))
    best = next((i for i, q in enumerate(quotes) if q.meets_promise), None)
    if best is not None:
        quotes[best] = replace(quotes[best], suggested=True)
    return quotes


def rate_shop(order, packages: Sequence, *, ship_date: date | None = None) -> list[Quote]:
    """Every configured carrier's services for these packages of the order, cheapest first."""
    from .carriers import carriers  # the adapters price through this module
    from .services import ship_from_fields

    calendar = _calendar()
    ship_date = ship_date or default_ship_date(calendar)
    request = RateRequest(origin_postal=ship_from_fields()["postal_code"], dest_postal=order.ship_to_postal_code,
                          dest_country=order.ship_to_country, parcels=parcels_of(packages))
    rates = [rate for carrier in carriers() for rate in carrier.rate(request)]
    return quote_rates(rates, ship_date=ship_date,
                       ship_by=local_date(order.ship_by, calendar) if order.ship_by else None,
                       deliver_by=local_date(order.deliver_by, calendar) if order.deliver_by else None,
                       calendar=calendar)

