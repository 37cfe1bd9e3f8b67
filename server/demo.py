"""`flask demo`: a realistic demo warehouse with a past. Deterministic, and safe to run twice.

Three zones laid out in aisles with floor coordinates and an S-shaped pick sequence, 320 items with
valid GTINs (some with FNSKUs, case packs, lots and expiry), opening stock posted through the ledger when the
warehouse went live a month ago, floor and office users with fixed demo credentials. Then:
- the month before today (server/demo_history.py): ~600 orders picked, packed and shipped, a few late, a few
  cancelled, one shipment with a mistyped tracking number; ABC classes from it; cycle counts over the last weeks,
  some with a variance a supervisor approved, one still waiting for approval;
- this morning, through the real services: Ana and Ben pick 30 orders due today in batches, Cleo packs and ships
  them (a few wrong scans among their scans), the two handhelds signed in and reporting (one write waiting);
- now: 72 open orders with ship-by dates and their stock reserved, one released pick batch, box types, the
  Virtual Zebra printer at every pack station, and three orders picked, packed, labelled and shipped (one in
  two packages, one on a UPS manifest), their labels waiting for the printer.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask import current_app

from . import demo_history
from .auth import services as auth
from .auth.models import TokenKind, User
from .catalog import services as catalog
from .catalog.models import Item
from .db import utcnow
from .devices.services import record_report
from .extensions import db
from .http import run_in_transaction
from .inventory.codes import LocationKind
from .inventory.ledger import Actor
from .inventory.ledger_models import NO_LOT
from .inventory.locations import create_location, find_location, get_or_create_zone
from .inventory.moves import adjust_stock
from .inventory.models import Location
from .orders.models import Order
from .orders.services import calendar as orders_calendar
from .orders.services import create_order
from .orders.ship_by import parse_cutoff
from .packing.box_types import create_box_type
from .packing.models import BoxType
from .packing.services import close_package, new_package, scan_item, start_packing, suggested_box
from .picking.allocation import allocate
from .picking.batching import build_batch
from .picking.services import confirm_pick, start_batch_on_cart
from .printing import services as printing
from .scanning.gs1 import gs1_check_digit
from .scanning.models import ScanLog
from .scanning.services import log_refusal
from .shipping.services import close_manifest, create_shipment

# Fixed demo credentials (also in the README). Never use these on a real floor.
DEMO_USERS = [
    # username, display name, role, password, badge, PIN
    ("admin", "Alex Admin", "admin", "shipfloor-admin", None, None),
    ("sam", "Sam Supervisor", "supervisor", "shipfloor-super", "BADGE-SAM", "9999"),
    ("ana", "Ana Picker", "picker", None, "BADGE-ANA", "1111"),
    ("ben", "Ben Picker", "picker", None, "BADGE-BEN", "2222"),
    ("cleo", "Cleo Packer", "packer", None, "BADGE-CLEO", "3333"),
    ("dev", "Dev Receiver", "receiver", None, "BADGE-DEV", "4444"),
]

# zone code, name, first aisle, aisles, bays per aisle, levels, location kind
LAYOUT = [
    ("A", "Ambient pick", 1, 8, 12, "ABC", LocationKind.BIN),
    ("B", "Bulk reserve", 9, 4, 10, "AB", LocationKind.PALLET_POSITION),
    ("C", "Cold room", 13, 2, 10, "ABC", LocationKind.BIN),
]
AISLE_SPACING_M, BAY_WIDTH_M = 3.0, 1.2
COMPANY_PREFIX = "0614141"  # GS1's documentation prefix: valid check digits, never a real product

ADJECTIVES = ["Blue", "Red", "Green", "Steel", "Bamboo", "Ceramic", "Glass", "Linen", "Cotton", "Oak",
              "Compact", "Deluxe", "Travel", "Kids", "Pro", "Mini"]
NOUNS = ["Mug", "Bottle", "Notebook", "Phone case", "Desk lamp", "Yoga mat", "Water filter", "Scarf",
         "Backpack", "Charger", "Cable", "Candle", "Teapot", "Cutting board", "Plant pot", "Headphones",
         "Mouse pad", "Lunch box", "Towel", "Pillow cover"]
COLD_NOUNS = ["Probiotic", "Vaccine cooler pack", "Cheese", "Chocolate", "Insulin pen case"]
CITIES = [("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Seattle", "WA", "98101"),
          ("Boston", "MA", "02108"), ("Miami", "FL", "33101"), ("Chicago", "IL", "60601"),
          ("Portland", "OR", "97201"), ("Phoenix", "AZ", "85001")]
NAMES = ["Jordan Lee", "Priya Patel", "María José Núñez", "Tom Becker", "Aiko Tanaka", "Sam O'Neil",
         "Fatima Khan", "Niccolò Ferrè", "陈伟", "Ольга Иванова", "Kwame Mensah", "Lena Vogel"]
SERVICE_LEVELS = ["Standard", "Standard", "Expedited", "Standard", "SecondDay", "NextDay"]
# code, name, inner length, width, height (mm), most it carries (g), empty weight (g)
BOX_TYPES = [
    ("MAILER-S", "Small mailer", 230, 160, 50, 1000, 40),
    ("BOX-S", "Small box", 200, 150, 100, 5000, 120),
    ("BOX-M", "Medium box", 300, 250, 150, 10000, 220),
    ("BOX-L", "Large box", 400, 300, 250, 20000, 380),
    ("BOX-XL", "Extra large box", 600, 400, 400, 30000, 650),
]
VIRTUAL_PRINTER = "Virtual Zebra"
PACK_STATIONS = [f"PACK-{n}" for n in range(1, 5)]
# The demo's shipped orders: how each ships (carrier, service, scanned tracking numbers per package: None for
# our own carrier, which issues them). The UPS numbers are carriers.md's examples (valid check digits); an order
# has at most three lines, so at most three packages.
UPS_NUMBERS = ["1Z5R89390357567127", "1Z879E930346834440", "1Z410E7W0392751591"]
SHIPPED = [("local", "nextday", None), ("ups", "ground", UPS_NUMBERS), ("local", "nextday", None)]
TODAY_ORDERS = 30  # due today, picked, packed and shipped this morning


def gtin13(item_ref: int) -> str:
    body = f"{COMPANY_PREFIX}{item_ref:05d}"
    return body + str(gs1_check_digit(body))


def gtin14_case(item_ref: int) -> str:
    body = f"1{COMPANY_PREFIX}{item_ref:05d}"
    return body + str(gs1_check_digit(body))


def s_shape_sequence(aisle: int, bay: int, level: str, bays: int) -> int:
    """Walk order: up odd aisles, down even ones (reference/warehouse-ops.md §3)."""
    walk_bay = bay if aisle % 2 == 1 else bays + 1 - bay
    return aisle * 10000 + walk_bay * 10 + "ABCDEF".index(level)


def seed_locations() -> dict[str, list]:
    bins: dict[str, list] = {}
    for zone_code, zone_name, first, aisles, bays, levels, kind in LAYOUT:
        zone = get_or_create_zone(zone_code, zone_name)
        for aisle in range(first, first + aisles):
            for bay in range(1, bays + 1):
                for level in levels:
                    loc = create_location(
                        f"{zone_code}-{aisle:02d}-{bay:02d}-{level}", kind=kind, zone=zone, aisle=aisle, bay=bay,
                        level=level, x=aisle * AISLE_SPACING_M, y=bay * BAY_WIDTH_M,
                        pick_sequence=s_shape_sequence(aisle, bay, level, bays),
                        capacity_units=400 if kind == LocationKind.PALLET_POSITION else 120,
                        mixed_items_allowed=kind != LocationKind.PALLET_POSITION)
                    bins.setdefault(zone_code, []).append(loc)
    dock_zone = get_or_create_zone("S", "Shipping and receiving")
    for n in (1, 2):
        create_location(f"DOCK-{n}", kind=LocationKind.DOCK, zone=dock_zone, x=0.0, y=n * 4.0, pickable=False)
        create_location(f"STAGE-{n}", kind=LocationKind.STAGING, zone=dock_zone, x=2.0, y=n * 4.0, pickable=False)
    for n in range(1, 5):
        create_location(f"PACK-{n}", kind=LocationKind.PACK_STATION, zone=dock_zone, x=0.0, y=10.0 + n * 2,
                        pickable=False)
    for n in range(1, 4):
        cart = create_location(f"CART-{n}", kind=LocationKind.CART, parent=find_location("STAGE-1"),
                               pickable=False)
        for t in range(1, 9):  # as many totes as a batch has orders (PICK_BATCH_SIZE)
            create_location(f"TOTE-{(n - 1) * 8 + t:03d}", kind=LocationKind.TOTE, parent=cart, pickable=False)
    create_location("QUARANTINE", kind=LocationKind.STAGING, zone=dock_zone, blocked=True, pickable=False)
    return bins


def seed_items(rng: random.Random) -> list[Item]:
    zones = {z: get_or_create_zone(z) for z in ("A", "B", "C")}
    items = []
    for n in range(320):
        cold = n % 16 == 15
        noun = COLD_NOUNS[n % len(COLD_NOUNS)] if cold else NOUNS[n % len(NOUNS)]
        name = f"{ADJECTIVES[(n // len(NOUNS)) % len(ADJECTIVES)]} {noun} {n // 20 + 1}"
        barcodes = [gtin13(n + 1)]
        if n % 5 == 0:
            barcodes.append(f"X00{n:07d}")  # Amazon FNSKU label applied in-house
        if n % 7 == 0:
            barcodes.append(f"{gtin14_case(n + 1)}*12")  # outer case of 12
        home = "C" if cold else ("B" if n % 9 == 0 else "A")
        items.append(catalog.create_item(
            f"SKU-{1000 + n}", name, barcodes=barcodes, unit="each", weight_g=rng.randint(40, 2500),
            length_mm=rng.randint(50, 400), width_mm=rng.randint(30, 300), height_mm=rng.randint(10, 200),
            value_cents=rng.randint(299, 8999), home_zone_id=zones[home].id,
            tracks_lot=cold, tracks_expiry=cold))
    return items


@dataclass(frozen=True)
class Opening:
    item: Item
    location: Location
    qty: int
    lot: str | None
    expiry: date | None


def plan_stock(rng: random.Random, items: list[Item], bins: dict[str, list]) -> list[Opening]:
    """Each item's opening stock: one bin of its home zone (some two), quantity, lot and expiry."""
    openings = []
    free = {zone: list(locs) for zone, locs in bins.items()}
    for zone in free:
        rng.shuffle(free[zone])
    today = date.today()
    for item in items:
        zone = item.home_zone.code
        for _ in range(1 if rng.random() < 0.7 else 2):
            if not free[zone]:
                break
            loc = free[zone].pop()
            lot = expiry = None
            if item.tracks_lot:
                lot = f"L{rng.randint(10000, 99999)}"
                expiry = today + timedelta(days=rng.randint(30, 400))
            openings.append(Opening(item, loc, rng.randint(4, 60), lot, expiry))
    return openings


def seed_stock(openings: list[Opening], taken: Counter, actor: Actor) -> int:
    """Opening stock enters through the ledger, like a real go-live import: what the plan says is there today
    plus what the month since took out of each bin (`taken`, by item id, bin id and lot)."""
    for o in openings:
        adjust_stock(item_code=o.item.sku, location_code=o.location.code,
                     delta=o.qty + taken[(o.item.id, o.location.id, o.lot or NO_LOT)],
                     reason="opening_balance", lot=o.lot, expiry=o.expiry, actor=actor)
    return len(openings)


def order_identity(n: int, *, past: bool = False) -> dict:
    """Order n's channel and ids, buyer and address, as an import gives them: most from Amazon, some from a web
    shop; customers in several scripts. The month's orders (past) have ids of their own."""
    city, state, postal = CITIES[n % len(CITIES)]
    name = NAMES[n % len(NAMES)]
    amazon = n % 6 != 5
    if past:
        ref = (f"11{n % 10}-{3000000 + n * 7919 % 6999999:07d}-{(4000000 + n * 104729) % 9999999:07d}" if amazon
               else f"WS-{6000 + n}")
    else:
        ref = (f"11{n % 10}-{1000000 + n * 7919:07d}-{2000000 + n * 104729 % 9999999:07d}" if amazon
               else f"WS-{5000 + n}")
    return {"channel": "amazon" if amazon else "webshop", "channel_order_id": ref, "customer_name": name,
            "service_level": SERVICE_LEVELS[n % len(SERVICE_LEVELS)],
            "ship_to": {"name": name, "address1": f"{100 + n} Main Street", "city": city, "state": state,
                        "postal_code": postal, "country": "US"}}


def seed_orders(rng: random.Random, items: list[Item], actor: Actor, count: int = 72) -> None:
    """Open orders through the orders service, as an import would make them: deadlines from the warehouse
    calendar, and a few with the channel's own latest-ship-date already past or due within the hour, so every
    urgency shows."""
    now = utcnow()
    for n in range(count):
        amazon = n % 6 != 5
        data = {
            **order_identity(n),
            "ordered_at": now - timedelta(hours=rng.randint(1, 60)),
            "lines": [{"sku": item.sku, "qty": 1 if rng.random() < 0.8 else 2,
                       "channel_line_id": f"{40000000000000 + n * 100 + k}" if amazon else None}
                      for k, item in enumerate(rng.sample(items, 1 if rng.random() < 0.6 else rng.randint(2, 3)))],
        }
        if n % 12 == 3:  # the channel's latest-ship-date: one overdue, one due within the hour, alternately
            data["ship_by"] = now + (timedelta(hours=-3) if n % 24 == 3 else timedelta(minutes=50))
        create_order(data, actor=actor, source="demo")


def seed_floor_work(actor: Actor) -> None:
    """Reserve stock for the open orders, most urgent first, and put one batch on the floor for a picker."""
    allocate(actor=actor)
    build_batch(size=6, actor=actor, release=True)


def seed_box_types() -> None:
    for code, name, length, width, height, max_weight, tare in BOX_TYPES:
        create_box_type(code, name, length_mm=length, width_mm=width, height_mm=height, max_weight_g=max_weight,
                        tare_g=tare)


def seed_printers() -> None:
    """The virtual printer (`flask virtual-printer`, port SHIPFLOOR_PRINTER_PORT) prints for every pack station."""
    port = int(os.environ.get("SHIPFLOOR_PRINTER_PORT", "9100"))
    printer = printing.create_printer(VIRTUAL_PRINTER, host="127.0.0.1", port=port, dpi=203)
    for station in PACK_STATIONS:
        printing.assign_station(station, printer)


def _scanned(actor: Actor, screen: str, code: str, kind: str | None, outcome: str = "ok") -> None:
    """The scan log's row of a scan resolved by POST /api/scan (which writes it the same way)."""
    db.session.execute(sa.insert(ScanLog), [{"user_id": actor.user_id, "device_id": actor.device_id, "code": code,
                                             "kind": kind, "outcome": outcome, "screen": screen, "at": utcnow()}])


def _pick_batch(batch, picker: Actor, cart: str = "CART-3", slip: str | None = None) -> None:
    """Pick every task of the batch on the cart, scanning bin, item and tote as a picker with a handheld would.
    slip: one wrong scan on the way ("location", "tote" or "unknown"), refused and logged as the handheld does."""
    start_batch_on_cart(cart, actor=picker)
    totes = {bo.tote_number: db.session.get(Location, bo.tote_id).code for bo in batch.orders}
    for n, task in enumerate(list(batch.tasks)):
        bin_code, tote = task.location.code, totes[task.tote_number]
        if n == 1 and slip == "unknown":
            _scanned(picker, "pick", "0614141999990", None, "unknown_code")  # a torn label: no such code
        if n == 1 and slip in ("location", "tote"):  # the next bin along, or the tote beside the right one
            wrong = (("A-01-01-A" if bin_code != "A-01-01-A" else "A-01-02-A") if slip == "location"
                     else next(code for code in totes.values() if code != tote))
            _scanned(picker, "pick", wrong, slip)
            log_refusal(user_id=picker.user_id, device_id=picker.device_id, code=wrong, screen="pick",
                        expected=bin_code if slip == "location" else tote, reason=f"wrong_{slip}", kind=slip)
        for code, kind in ((bin_code, "location"), (task.item.sku, "item"), (tote, "tote")):
            _scanned(picker, "pick", code, kind)
        confirm_pick(task, location_code=bin_code, item_code=task.item.sku, qty=task.qty, tote_code=tote,
                     lot=task.lot or None, actor=picker)


def _pack(order, tote: str, packer: Actor, slip: bool = False) -> list:
    """Pack the order at PACK-1: one package per line when it has several lines (a multi-package shipment),
    each closed in the box suggested for it and weighed. slip: an item of another order scanned first."""
    _scanned(packer, "pack", tote, "tote")
    start_packing(tote, station="PACK-1", actor=packer)
    packages = []
    for n, line in enumerate(order.lines):
        if n:
            new_package(order, station="PACK-1", actor=packer)
        if slip and n == 0:
            wrong = "SKU-1001" if line.item.sku != "SKU-1001" else "SKU-1002"
            _scanned(packer, "pack", wrong, "item")
            log_refusal(user_id=packer.user_id, device_id=packer.device_id, code=wrong, screen="pack",
                        expected=line.item.sku, reason="wrong_item", kind="item")
        _scanned(packer, "pack", line.item.sku, "item")
        package = scan_item(order, line.item.sku, qty=line.qty, actor=packer).package
        box = suggested_box(package)
        weight = sum((pl.item.weight_g or 100) * pl.qty for pl in package.lines) + (box.tare_g if box else 200)
        packages.append(close_package(package, weight_g=weight, box=box.code if box else None,
                                      **({} if box else {"length_mm": 400, "width_mm": 300, "height_mm": 250}),
                                      actor=packer))
    return packages


def today_window(now: datetime, tz: ZoneInfo, shift: tuple[time, time]) -> tuple[datetime, datetime]:
    """When this morning's work happened: from the shift's start until 10 minutes ago (at most the shift's end);
    earlier in the day than two hours into the shift, the two hours before (never before midnight)."""
    day = now.astimezone(tz).date()

    def at(t: time) -> datetime:
        return datetime.combine(day, t, tzinfo=tz).astimezone(now.tzinfo)

    midnight = at(time(0))
    first, last = at(shift[0]), min(now - timedelta(minutes=10), at(shift[1]))
    if last - first < timedelta(hours=2):
        first = max(midnight, last - timedelta(hours=2))
    if last <= first:  # a few minutes after midnight
        first, last = midnight + (now - midnight) / 4, midnight + (now - midnight) / 2
    return first, last


def seed_today(orders: list, users: dict[str, int], *, now: datetime, tz: ZoneInfo,
               shift: tuple[time, time]) -> int:
    """This morning through the real services, dated afterwards (demo_history.happened_between): the orders due
    today imported and allocated before the shift, then batch after batch picked by Ana and Ben in turns (each
    signed in on a handheld) and packed, labelled and shipped by Cleo; a few wrong scans among theirs. Done before
    the demo's printer exists, so nothing of theirs waits in its queue. → orders shipped."""
    office = Actor(user_id=users["admin"], device_id="demo-seed")
    pickers = [(Actor(user_id=users["ana"], device_id="demo-hh-1"), "CART-1"),
               (Actor(user_id=users["ben"], device_id="demo-hh-2"), "CART-2")]
    packer = Actor(user_id=users["cleo"], device_id="demo-pack-1")
    first, last = today_window(now, tz, shift)
    with demo_history.happened_between(first - timedelta(minutes=25), first - timedelta(minutes=20)):
        ids = []
        for o in orders:
            amazon = o.n % 6 != 5
            ids.append(create_order({
                **order_identity(o.n, past=True), "ordered_at": o.ordered_at, "ship_by": o.ship_by,
                "lines": [{"sku": db.session.get(Item, ln.item_id).sku, "qty": ln.qty,
                           "channel_line_id": f"{70000000000000 + o.n * 10 + k}" if amazon else None}
                          for k, ln in enumerate(o.lines)]}, actor=office, source="demo").id)
        allocate(ids, actor=office)
    rounds = -(-len(ids) // 8)
    slot = (last - first) / rounds
    work = min(slot * 0.4, timedelta(minutes=15))
    slips = ["location", "unknown", None, "tote"]
    for n in range(rounds):
        picker, cart = pickers[n % 2]
        start = first + slot * n
        with demo_history.happened_between(start, start + work):
            left = start + timedelta(hours=current_app.config["SHIFT_HOURS"]) - now
            if n < 2 and left > timedelta(hours=1):  # each picker signs in on a handheld for the shift
                auth.issue_token(db.session.get(User, picker.user_id), kind=TokenKind.DEVICE, name="device login",
                                 device_id=picker.device_id, lifetime=left)
            batch = build_batch(size=8, actor=office, release=True)
            _pick_batch(batch, picker, cart, slip=slips[n % len(slips)])
        with demo_history.happened_between(start + slot / 2, start + slot / 2 + work):
            for k, bo in enumerate(sorted(batch.orders, key=lambda bo: bo.tote_number)):
                order = db.session.get(Order, bo.order_id)
                packages = _pack(order, db.session.get(Location, bo.tote_id).code, packer, slip=(n, k) == (2, 3))
                create_shipment(order, packages, carrier="local", service="nextday", actor=packer)
    return len(ids)


def seed_devices(users: dict[str, int], now: datetime) -> None:
    """The handhelds' latest reports: Ana's on the pick screen with one write waiting, Ben's on the move screen."""
    record_report(device_id="demo-hh-1", user_id=users["ana"], screen="pick", batch=None, queued=1, refused=0,
                  oldest_queued_at=now - timedelta(minutes=4), app_version=None)
    record_report(device_id="demo-hh-2", user_id=users["ben"], screen="move", batch=None, queued=0, refused=0,
                  oldest_queued_at=None, app_version=None)


def seed_shipped(boss: Actor, picker: Actor, packer: Actor) -> None:
    """A few of the most urgent orders all the way through the real services: picked, packed, labelled (the
    labels queued on the Virtual Zebra at PACK-1) and shipped; the UPS ones on today's manifest. So every
    shipping page, the Amazon confirmation file and GET /api/shipments/<id>/labels.zpl show real data."""
    allocate(actor=boss)
    batch = build_batch(size=len(SHIPPED), actor=boss, release=True)
    _pick_batch(batch, picker)
    for bo, (carrier, service, numbers) in zip(sorted(batch.orders, key=lambda bo: bo.tote_number), SHIPPED):
        order = db.session.get(Order, bo.order_id)
        packages = _pack(order, db.session.get(Location, bo.tote_id).code, packer)
        create_shipment(order, packages, carrier=carrier, service=service,
                        tracking_numbers=numbers[:len(packages)] if numbers else None, actor=packer)
    close_manifest("ups", actor=boss)


def seed_demo() -> bool:
    """Seed everything in one transaction; False when the demo is already there."""
    if db.session.scalar(sa.select(Item.id).where(Item.sku_key == "SKU-1000")):
        return False
    now, calendar = utcnow(), orders_calendar()
    days = demo_history.Calendar(calendar, now)
    go_live = days.at(days.today - timedelta(days=demo_history.HISTORY_DAYS + 1), time(7))
    rng = random.Random(42)
    with demo_history.happened_between(go_live, go_live + timedelta(minutes=40)):
        for username, display, role, password, badge, pin in DEMO_USERS:
            if not db.session.scalar(sa.select(User.id).where(User.username == username)):
                auth.create_user(username, role=role, display_name=display, password=password, badge=badge,
                                 pin=pin)
        users = dict(db.session.execute(sa.select(User.username, User.id)).all())
        bins = seed_locations()
        items = seed_items(rng)
        openings = plan_stock(rng, items, bins)
        homes = {}
        for o in openings:
            homes.setdefault(o.item.id, (o.location.id, o.lot or NO_LOT, o.expiry))
        past = demo_history.plan(items, homes, now=now, calendar=calendar)
        today, taken = demo_history.plan_today(random.Random(5), homes, items, count=TODAY_ORDERS, first_n=10000,
                                               now=now, calendar=calendar)
        seed_stock(openings, past.taken + taken, Actor(user_id=users["admin"], device_id="demo-seed"))
        seed_box_types()
    demo_history.write(past, _floor(users, items, openings), lambda n: order_identity(n, past=True), now=now,
                       calendar=calendar)
    demo_history.seed_counts(users, openings, now=now, calendar=calendar)
    shift = tuple(parse_cutoff(current_app.config[key]) for key in ("SHIFT_START", "SHIFT_END"))
    seed_today(today, users, now=now, tz=days.tz, shift=shift)
    demo_actor = Actor(user_id=users["admin"], device_id="demo-seed")
    seed_orders(rng, items, demo_actor)
    seed_printers()
    seed_shipped(demo_actor, Actor(user_id=users["ana"], device_id="demo-hh-1"),
                 Actor(user_id=users["cleo"], device_id="demo-pack-1"))
    seed_floor_work(demo_actor)
    seed_devices(users, utcnow())
    return True


def _floor(users: dict[str, int], items: list[Item], openings: list[Opening]) -> demo_history.Floor:
    carts = []
    for code in ("CART-1", "CART-2"):
        cart = find_location(code)
        carts.append((cart.id, list(db.session.scalars(sa.select(Location.id).where(Location.parent_id == cart.id)
                                                       .order_by(Location.code_key)))))
    boxes = sorted(db.session.scalars(sa.select(BoxType)), key=lambda b: b.length_mm * b.width_mm * b.height_mm)
    return demo_history.Floor(users=users, carts=carts, station=find_location("PACK-1").id,
                              items={item.id: item for item in items},
                              bins={o.location.id: o.location for o in openings}, boxes=boxes)


@click.command("demo")
def demo_command():
    """Seed the demo warehouse; safe to run twice."""
    created = run_in_transaction(seed_demo)
    click.echo("demo warehouse seeded" if created else "demo warehouse already there; nothing changed")
    click.echo("demo credentials (never use on a real floor):")
    for username, display, role, password, badge, pin in DEMO_USERS:
        how = f"password {password}" if password else ""
        if badge:
            how += f"{'; ' if how else ''}badge {badge} PIN {pin}"
        click.echo(f"  {role:<10} {username:<6} {how}")
